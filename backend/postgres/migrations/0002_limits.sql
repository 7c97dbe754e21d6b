-- Schema version 2: the outbound limiter's buckets and 429 pauses
-- (backend.LimitStore), per bot, on the server's clock in microseconds.

-- One row per bucket or pause of a bot. key is "global", "paid",
-- "chat:<chat>", "group:<chat>" (a bucket; tat = its theoretical arrival
-- time, when it is empty again), "pause" or "pause:<chat>" (tat = the end
-- of the pause). A row whose tat has passed is the same as no row, so the
-- sweep deletes those.
CREATE TABLE limit_state (
	bot bigint NOT NULL,
	key text   NOT NULL,
	tat bigint NOT NULL,                         -- µs since the Unix epoch, server clock
	PRIMARY KEY (bot, key)
);
CREATE INDEX limit_state_idle ON limit_state (tat);

-- now_us is the server clock in microseconds since the Unix epoch.
CREATE FUNCTION now_us() RETURNS bigint
LANGUAGE sql VOLATILE AS $fn$
	SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
$fn$;

-- limit_take is one Take: a GCRA over the buckets p_keys (with
-- p_intervals µs between messages and bursts of p_bursts), all or nothing,
-- after the pauses p_pauses (the bot's, then the chat's). It returns
-- (0, 0) when every bucket took p_n messages, else the longest wait in µs
-- and which key needs it: i for p_pauses[i], #p_pauses + j for p_keys[j].
-- The bucket rows are created if missing and locked in key order (no
-- deadlock between Takes); a row deleted by the sweep in between is made
-- again.
CREATE FUNCTION limit_take(p_bot bigint, p_n integer, p_pauses text[], p_keys text[],
	p_intervals bigint[], p_bursts integer[], OUT wait bigint, OUT which integer)
LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $fn$
DECLARE
	v_now  bigint := now_us();
	v_np   integer := coalesce(array_length(p_pauses, 1), 0);
	v_nb   integer := coalesce(array_length(p_keys, 1), 0);
	v_tats bigint[];
	v_tat  bigint;
	v_w    bigint;
	v_rows integer;
	v_keys integer;
BEGIN
	wait := 0;
	which := 0;
	FOR i IN 1 .. v_np LOOP
		SELECT tat - v_now INTO v_w FROM limit_state WHERE bot = p_bot AND key = p_pauses[i];
		IF FOUND AND v_w > wait THEN
			wait := v_w;
			which := i;
		END IF;
	END LOOP;
	IF v_nb = 0 THEN
		RETURN;
	END IF;
	SELECT count(DISTINCT k) INTO v_keys FROM unnest(p_keys) AS k;
	LOOP
		INSERT INTO limit_state (bot, key, tat)
		SELECT p_bot, k, 0 FROM unnest(p_keys) AS k ORDER BY k
		ON CONFLICT DO NOTHING;
		SELECT count(*) INTO v_rows FROM (
			SELECT 1 FROM limit_state WHERE bot = p_bot AND key = ANY (p_keys) ORDER BY key FOR UPDATE
		) AS locked;
		EXIT WHEN v_rows = v_keys;
	END LOOP;
	SELECT array_agg(s.tat ORDER BY k.i) INTO v_tats
	FROM unnest(p_keys) WITH ORDINALITY AS k(key, i)
	JOIN limit_state s ON s.bot = p_bot AND s.key = k.key;
	FOR j IN 1 .. v_nb LOOP
		v_tat := greatest(v_tats[j], v_now);
		v_tats[j] := v_tat;
		v_w := v_tat + (least(p_n, p_bursts[j]) - p_bursts[j]) * p_intervals[j] - v_now;
		IF v_w > wait THEN
			wait := v_w;
			which := v_np + j;
		END IF;
	END LOOP;
	IF wait > 0 THEN
		RETURN;
	END IF;
	UPDATE limit_state s SET tat = v_tats[k.i] + p_n * p_intervals[k.i]
	FROM unnest(p_keys) WITH ORDINALITY AS k(key, i)
	WHERE s.bot = p_bot AND s.key = k.key;
END
$fn$;
