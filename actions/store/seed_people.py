"""The demo shop's customers: the four showcase people of docs/shop.md, and generated ones
with unique names, e-mail addresses and phone numbers, living where the plan says."""

from __future__ import annotations

import unicodedata

from actions.store.seed_plans import CustomerPlan, Draws, Moment, OrderPlan, moment_of

_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code
_EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class PeoplePlanner(Draws):
    """Plans the customers (no rows yet: :mod:`actions.store.seed_rows` writes them)."""

    # -- showcase (docs/shop.md) -----------------------------------------------------------

    def _showcase_customers(self) -> list[CustomerPlan]:
        people = [
            CustomerPlan(**{**entry, "created": moment_of(entry["created"])})
            for entry in self.shop.showcase_customers
        ]
        for person in people:
            self._emails.add(person.email)
            self._phones.add(person.phone)
            self._names.add((person.first_name, person.last_name))
        return people

    # -- generated customers ----------------------------------------------------------------

    def _generated_customers(self, first_id: int) -> list[CustomerPlan]:
        rng = self.rng
        cities = [city for city, count in self.shop.city_plan for _ in range(count)]
        rng.shuffle(cities)
        people = []
        for customer_id, city in enumerate(cities, start=first_id):
            country = self.shop.city_country.get(city, "GB")
            first, last = self._unique_name(country)
            street, outward = rng.choice(self.shop.streets[city])
            line1 = f"{rng.randint(2, 180)} {street}"
            line2 = None
            if rng.random() < 0.2:
                line2 = f"{'Apartment' if country == 'IE' else 'Flat'} {rng.randint(1, 24)}"
            if country == "IE":
                ident = rng.choice("ACDEFHKNPRTVWXY") + "".join(
                    rng.choice(_EIRCODE_CHARS) for _ in range(3)
                )
                postcode = f"{outward} {ident}"
            else:
                inward = f"{rng.randint(1, 9)}{rng.choice(_POSTCODE_LETTERS)}"
                postcode = f"{outward} {inward}{rng.choice(_POSTCODE_LETTERS)}"
            people.append(
                CustomerPlan(
                    customer_id,
                    first,
                    last,
                    self._unique_email(first, last, country),
                    self._unique_phone(country),
                    line1,
                    line2,
                    city,
                    postcode,
                    country,
                )
            )
        return people

    def _unique_name(self, country: str) -> tuple[str, str]:
        while True:
            name = (
                self.rng.choice(self.shop.first_names[country]),
                self.rng.choice(self.shop.last_names[country]),
            )
            if name not in self._names:
                self._names.add(name)
                return name

    def _unique_email(self, first: str, last: str, country: str) -> str:
        if country == "IE":
            domain = self.rng.choice(("example.ie", "example.ie", "example.com"))
        else:
            domain = self.rng.choice(("example.com", "example.co.uk"))
        local = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
        email, n = f"{local}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self._emails.add(email)
        return email

    def _unique_phone(self, country: str) -> str:
        while True:
            if country == "IE":
                phone = f"+35385{self.rng.randint(1_000_000, 9_999_999)}"
            else:  # Ofcom's drama range 07700 900000-900999
                phone = f"+447700900{self.rng.randint(100, 999)}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _set_signup_moments(self, customers: list[CustomerPlan], orders: list[OrderPlan]) -> None:
        first_order: dict[int, Moment] = {}
        for order in orders:
            cid = order.customer.id
            if cid not in first_order or order.placed < first_order[cid]:
                first_order[cid] = order.placed
        for customer in customers:
            first = first_order[customer.id]
            if self.rng.random() < 0.3:  # signed up while placing the first order
                customer.created = first
                customer.created_minutes_before = self.rng.randint(2, 25)
            else:
                customer.created = self.moment(first[0] - self.rng.randint(20, 900), 7, 22)
