"""Tools for the people who train Baton's NLU.

``evaluation`` scores a trained model on a labelled set, ``quality`` compares those scores with
the floor recorded in ``tests/nlu/floors/<lang>.json``, ``nlu_files`` reads and extends the
training data under ``data/nlu/``, ``privacy`` masks personal data in what trainers review, and
``tracker_events`` reads conversations back from Rasa's SQL tracker store. The command lines that
use them are ``python -m bot.nlu_report`` and ``python -m bot.inbox``.
"""
