# deploy: filled in by its issue
