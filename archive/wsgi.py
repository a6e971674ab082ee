"""gunicorn entry point."""
from archive import create_app

app = create_app()
