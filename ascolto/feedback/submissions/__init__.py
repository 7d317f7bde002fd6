"""The survey write path: an answer on an invitation's public page, from the POST to the filed
response. Read docs/submissions.md first; in the order an answer travels:

- `form`: the page's one read (invitation by token hash, survey, questions), by named columns;
- `answers`: validation against the questions, and what a response derives from its answers;
- `accept`: ONE `INSERT ... ON CONFLICT DO NOTHING` of a `Submission` row (the answer is safe);
- `filing`: the worker files pending submissions as responses, a batch per transaction;
- `store`: one response in the caller's transaction (conditional claim of the invitation, the
  response and its answers, the detractor alert), shared with the direct paths;
- `rows`: the hand-built `INSERT ... RETURNING` the busy writes use;
- `writers` and `sqlite`: on SQLite, writers take turns before their transaction (a lock in the
  process and a file lock across processes; `ASCOLTO_SQLITE_WRITER_LOCK=0` turns it off), done by
  the database backend `ascolto.feedback.submissions.sqlite` for every transaction.

This package imports no module of its own here: the database backend is loaded from it before
Django's apps are ready.
"""
