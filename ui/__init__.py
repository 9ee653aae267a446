"""Streamlit helpers shared by the pages: the guard, forms, and the browser round-trips."""
