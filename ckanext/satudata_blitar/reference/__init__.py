"""Reference data shared by every OPD's tables (Satu Data Indonesia's Kode Referensi)."""
