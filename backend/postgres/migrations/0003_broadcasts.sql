-- Schema version 3: broadcast campaigns and the state of every recipient
-- (backend.BroadcastStore). Their times come from the caller (the
-- broadcast runner's clock), as the contract says.
CREATE TABLE broadcast_campaigns (
	id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name        text        NOT NULL,
	message     jsonb       NOT NULL,            -- backend.CampaignMessage
	paid        boolean     NOT NULL,            -- allow_paid_broadcast
	created_at  timestamptz NOT NULL,
	total       integer     NOT NULL,
	lease_owner text        NOT NULL DEFAULT '', -- runner sending it; '': none
	lease_until timestamptz                      -- end of its lease
);

CREATE TABLE broadcast_recipients (
	campaign   bigint      NOT NULL REFERENCES broadcast_campaigns (id) ON DELETE CASCADE,
	seq        bigint      NOT NULL,             -- position in the campaign, from 1
	chat       bigint      NOT NULL,
	status     text        NOT NULL,             -- backend.RecipientStatus
	message_id bigint      NOT NULL DEFAULT 0,
	error      text        NOT NULL DEFAULT '',
	attempts   integer     NOT NULL DEFAULT 0,
	updated_at timestamptz,
	PRIMARY KEY (campaign, seq),
	UNIQUE (campaign, chat)
);
CREATE INDEX broadcast_recipients_status ON broadcast_recipients (campaign, status, seq);
