"""Shell-wide pieces shared by every Django app: errors, request context, API, paging."""
