-- Two PostgreSQL roles for Collis: an owner that runs migrations, and a restricted role
-- for the running application, which cannot TRUNCATE, ALTER or drop tables, nor disable
-- the audit log's triggers (only a table's owner can), nor change or delete audit rows.
--
-- Run as a superuser, after `collis manage migrate` has run as the owner, and again after
-- each upgrade (it is idempotent):
--   psql -v owner=collis_owner -v app=collis_app -v db=collis -f scripts/postgres-roles.sql
-- Then run Collis with DATABASE_URL naming the app role, and migrations with the owner.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec

ALTER DATABASE :"db" OWNER TO :"owner";
\connect :"db"
-- Tables made by migrate belong to the owner; make sure every one does.
SELECT format('ALTER TABLE %I.%I OWNER TO %I', schemaname, tablename, :'owner')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', sequence_schema, sequence_name, :'owner')
  FROM information_schema.sequences WHERE sequence_schema = 'public' \gexec
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
GRANT USAGE ON SCHEMA public TO :"app";

-- The application reads and writes rows; nothing more. No TRUNCATE, no REFERENCES, no
-- TRIGGER privilege, and never ownership (which ALTER TABLE and DISABLE TRIGGER need).
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- The audit log: append only, for the application as for everyone (the triggers refuse
-- UPDATE, DELETE and TRUNCATE too).
REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM :"app";
