#!/bin/bash
# Runs once, when the db container starts with an empty data volume (/docker-entrypoint-initdb.d). It creates CKAN's
# database, the DataStore's database (both owned by the CKAN user, which is also the DataStore's write user) and
# the DataStore's read-only user. The DataStore grants themselves come from CKAN's own SQL: the ckan container
# applies `ckan datastore set-permissions` each time it starts (prerun.py). As owner of the DataStore database,
# the CKAN user may run that SQL on PostgreSQL 15.
set -euo pipefail

# psql variables (:"name" for identifiers, :'value' for literals) quote the values from .env.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v ckan_user="$CKAN_DB_USER" -v ckan_password="$CKAN_DB_PASSWORD" -v ckan_db="$CKAN_DB" \
  -v datastore_db="$DATASTORE_DB" \
  -v ro_user="$DATASTORE_READONLY_USER" -v ro_password="$DATASTORE_READONLY_PASSWORD" <<'EOSQL'
CREATE ROLE :"ckan_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ckan_password';
CREATE ROLE :"ro_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ro_password';
CREATE DATABASE :"ckan_db" OWNER :"ckan_user" ENCODING 'UTF8';
CREATE DATABASE :"datastore_db" OWNER :"ckan_user" ENCODING 'UTF8';
-- datastore_search_sql runs SQL written by the caller as the read-only user: that user must not get into CKAN's
-- own database (users, API tokens). Its owner keeps access.
REVOKE CONNECT ON DATABASE :"ckan_db" FROM PUBLIC;
EOSQL
