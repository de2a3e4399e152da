"""Languages: naming them, and the gettext catalogs families are texted from."""
