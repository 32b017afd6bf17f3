# poller: filled in by its issue
