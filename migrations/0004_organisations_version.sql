-- Every change to organisations moves the change counter meta.organisations_version, whoever
-- makes it (services, seeds, subtree moves, tests), so processes that keep units in memory
-- (routing's unit directory) know when to reload. One bump per statement, not per row.
CREATE FUNCTION gz_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO meta (key, value) VALUES (TG_ARGV[0], '1'::jsonb)
  ON CONFLICT (key) DO UPDATE SET value = to_jsonb(coalesce((meta.value #>> '{}')::bigint, 0) + 1), updated_at = now();
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER organisations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION gz_bump_version('organisations_version');
