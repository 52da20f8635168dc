"""Permohonan data: people ask for statistical data the portal does not hold yet, the OPD answers within the
working days UU 14/2008 gives, and what will be provided goes into the OPD's next daftar elemen data."""
