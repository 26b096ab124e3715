"""Tools for the people who train Baton's NLU.

``evaluation`` scores a trained model on a labelled set, ``quality`` compares those scores with
the floor recorded in ``tests/nlu/floors/<lang>.json``, ``nlu_files`` reads and extends the
training data under ``data/nlu/`` and ``privacy`` masks personal data in what trainers review;
conversations are read back from Rasa's SQL tracker store by :mod:`infra.tracker_events`. The
command lines that use them are ``python -m bot.nlu_report`` and ``python -m bot.inbox``.
"""
