"""The intervision core: everything the product knows, without Streamlit."""
