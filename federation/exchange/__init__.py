"""Files in and out: collection lists imported as receipts, books and views exported."""
