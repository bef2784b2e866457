"""Welcome: a tiny service made by the recipe of docs/adding-a-service.md, in a test's own
folder. It follows checklist, and prepares a welcome for every conference opened."""
