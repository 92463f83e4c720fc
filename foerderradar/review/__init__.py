"""The coordinator's review: flagging rules, the CSV round trip and the Datasette web view."""
