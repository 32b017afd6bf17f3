-- 170_models: the models the instance's OpenClaw offers, as its agent
-- reported them (`openclaw models list --all --json`, the keys): the model
-- picker offers these and PUT /model accepts only these.  NULL until the
-- agent has reported a list (then any well-formed provider/model is taken).
ALTER TABLE agent_reports
	ADD COLUMN models	jsonb CHECK (models IS NULL OR jsonb_typeof(models) = 'array');
