"""The shop's commerce data behind one seam: built-in tables, Shopify or WooCommerce."""
