-- Every change that can change what an API token lets its holder do moves the change counter
-- meta.auth_version, whoever makes it: a token revoked or re-pointed, an account disabled or
-- renamed, a role granted or withdrawn. Processes that keep resolved tokens in memory
-- (auth/credential-cache.ts) drop them when it moves. Touching last_used_at or last_login_at
-- does not move it. One bump per statement (gz_bump_version, migration 0004).
CREATE TRIGGER api_tokens_auth_version AFTER UPDATE OF token_hash, account_id, rate_limit_per_minute, revoked_at OR DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION gz_bump_version('auth_version');
--> statement-breakpoint
CREATE TRIGGER accounts_auth_version AFTER UPDATE OF status, display_name OR DELETE OR TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION gz_bump_version('auth_version');
--> statement-breakpoint
CREATE TRIGGER role_grants_auth_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_grants
  FOR EACH STATEMENT EXECUTE FUNCTION gz_bump_version('auth_version');
