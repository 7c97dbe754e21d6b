-- Schema version 1: conversation state, chat locks, update claims.
-- Runs with search_path set to the Store's schema (Options.Schema); the
-- functions keep that search_path (SET search_path FROM CURRENT). Every
-- time is the server's clock, so that all processes agree on expiry.

-- Conversation records (backend.State). A row whose expires_at has passed
-- counts as missing: its version restarts at 1 on the next create.
CREATE TABLE fsm_records (
	key        text        NOT NULL PRIMARY KEY, -- backend.Key.String()
	state      text        NOT NULL,
	data       bytea,                            -- NULL: no data
	version    bigint      NOT NULL,
	expires_at timestamptz                       -- NULL: never
);
CREATE INDEX fsm_records_expiry ON fsm_records (expires_at) WHERE expires_at IS NOT NULL;

-- Lock leases (backend.Locker). A row stays after Unlock (its lease ends
-- then) so that the next acquisition of the name draws its token under the
-- row's lock; the sweep deletes rows idle for an hour.
CREATE TABLE locks (
	name       text        NOT NULL PRIMARY KEY,
	token      bigint      NOT NULL,             -- fencing token of the holder
	expires_at timestamptz NOT NULL              -- end of the lease
);
CREATE INDEX locks_expiry ON locks (expires_at);

-- Fencing tokens: one sequence for every name, so a token is never handed
-- out twice and a name's tokens increase.
CREATE SEQUENCE lock_tokens AS bigint;

-- lock_acquire takes the lease of p_name for p_ttl_us microseconds if it
-- is free or has run out, and returns the new fencing token (> 0). When
-- the lease is held it returns minus the microseconds it has left (< 0),
-- or 0 when another caller took it in the meantime. The first read keeps
-- a waiter's polls from writing while the lock is plainly held.
CREATE FUNCTION lock_acquire(p_name text, p_ttl_us bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $fn$
DECLARE
	v_until timestamptz;
	v_token bigint;
BEGIN
	SELECT expires_at INTO v_until FROM locks WHERE name = p_name;
	IF FOUND AND v_until > clock_timestamp() THEN
		RETURN -greatest(1, (extract(epoch FROM v_until - clock_timestamp()) * 1000000)::bigint);
	END IF;
	INSERT INTO locks AS l (name, token, expires_at)
	VALUES (p_name, nextval('lock_tokens'), clock_timestamp() + p_ttl_us * interval '1 microsecond')
	ON CONFLICT (name) DO UPDATE
		SET token = nextval('lock_tokens'),
		    expires_at = clock_timestamp() + p_ttl_us * interval '1 microsecond'
		WHERE l.expires_at <= clock_timestamp()
	RETURNING token INTO v_token;
	RETURN coalesce(v_token, 0);
END
$fn$;

-- Update claims and once-marks (backend.Claims): pending for owner until
-- expires_at (the lease), then done until expires_at (the done mark).
CREATE TABLE claims (
	name       text        NOT NULL PRIMARY KEY,
	owner      text        NOT NULL,             -- the claim attempt holding it
	done       boolean     NOT NULL,
	expires_at timestamptz NOT NULL              -- end of the lease or of the done mark
);
CREATE INDEX claims_expiry ON claims (expires_at);

-- claim takes p_name for p_owner for p_lease_us microseconds if it is
-- free (absent, or its time has run out) and returns 1 (backend.Claimed);
-- otherwise 2 (Pending) or 3 (Done), changing nothing. Each statement of a
-- VOLATILE function sees the rows committed before it started, so when
-- the insert loses a race the select that follows sees the winner's row;
-- if that row is gone again (released, expired), it tries once more.
CREATE FUNCTION claim(p_name text, p_owner text, p_lease_us bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $fn$
DECLARE
	v_done boolean;
BEGIN
	LOOP
		INSERT INTO claims AS c (name, owner, done, expires_at)
		VALUES (p_name, p_owner, false, clock_timestamp() + p_lease_us * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE
			SET owner = excluded.owner, done = false,
			    expires_at = clock_timestamp() + p_lease_us * interval '1 microsecond'
			WHERE c.expires_at <= clock_timestamp();
		IF FOUND THEN
			RETURN 1;
		END IF;
		SELECT done INTO v_done FROM claims WHERE name = p_name AND expires_at > clock_timestamp();
		IF FOUND THEN
			RETURN CASE WHEN v_done THEN 3 ELSE 2 END;
		END IF;
	END LOOP;
END
$fn$;
