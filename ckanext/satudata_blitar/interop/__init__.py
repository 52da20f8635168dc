"""Interoperability: the DCAT catalogue of published datasets (ckanext-dcat + our profile), schema.org structured
data, the sitemap, the API page and the "Gunakan data ini" examples. The `satudata_interop` plugin."""
