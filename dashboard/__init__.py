"""The CX dashboard (Streamlit): reads the published marts of the serving DuckDB file."""
