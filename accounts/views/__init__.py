"""Views of the accounts app: pupils' sign-in pages and teachers' sign-in tools."""
