"""Everything that reads pages from outside: local files now, HTTP next."""
