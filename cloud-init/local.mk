# cloud-init: filled in by its issue
