"""Helpers shared by the tests: hand-written graphs (``graphs``), the checks every store kind must pass
(``storecheck``) and graph comparison that says what differs (``compare``)."""
