"""Read side: queries for pages and statistics, computed in the database."""
