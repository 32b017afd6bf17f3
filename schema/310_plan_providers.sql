-- 310_plan_providers: the AI providers the platform offers, and which of
-- them each plan allows.
--
-- ai_providers.provider is OpenClaw's provider id, the prefix of its model
-- refs ("deepseek/deepseek-v4-flash"); env is the variable the gateway
-- reads the provider's key from (the agent config puts the key there:
-- Hugging Face reads HF_TOKEN, Google GEMINI_API_KEY, the rest
-- <PROVIDER>_API_KEY); plugin is the npm package, pinned, when OpenClaw
-- ships the provider as an external plugin (openclaw 2026.9.6: its
-- scripts/lib/official-external-provider-catalog.json), NULL when the
-- provider is bundled in the openclaw package.  An external provider's
-- plugin is fetched by the gateway at every start when a key or a model
-- of that provider is configured and the plugin is missing, so och-setup
-- and the image build (`ochctl image build`) install the plugins a plan
-- allows beforehand (vps.env OCH_PROVIDER_PLUGINS).  The plugins' own
-- versions do not follow openclaw's: 2026.9.5 is the newest published
-- for 2026.9.6 (peer openclaw >=2026.9.5).  Groq's plugin
-- (@openclaw/groq-provider) is not on npm, only on ClawHub, which the
-- tests cannot reach: it is not offered until it can be tested.
--
-- plan_providers: a key or a model of a provider outside the instance's
-- plan is refused by the API (422), and nothing is applied.
CREATE TABLE ai_providers (
	provider	text PRIMARY KEY CHECK (provider ~ '^[a-z][a-z0-9-]{1,31}$'),
	display_name	text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
	env		text NOT NULL UNIQUE CHECK (env ~ '^[A-Z][A-Z0-9_]{1,63}$'),
	plugin		text UNIQUE CHECK (plugin ~
			    '^@openclaw/[a-z0-9-]{1,64}@[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,3}$'),
	sort		integer NOT NULL DEFAULT 0
);

CREATE TABLE plan_providers (
	plan		text NOT NULL REFERENCES plans (name),
	provider	text NOT NULL REFERENCES ai_providers (provider),
	PRIMARY KEY (plan, provider)
);

INSERT INTO ai_providers (provider, display_name, env, plugin, sort) VALUES
	('anthropic', 'Anthropic (Claude)', 'ANTHROPIC_API_KEY', NULL, 1),
	('openai', 'OpenAI', 'OPENAI_API_KEY', NULL, 2),
	('google', 'Google (Gemini)', 'GEMINI_API_KEY', NULL, 3),
	('openrouter', 'OpenRouter', 'OPENROUTER_API_KEY', NULL, 4),
	('huggingface', 'Hugging Face', 'HF_TOKEN', NULL, 5),
	('deepseek', 'DeepSeek', 'DEEPSEEK_API_KEY',
	    '@openclaw/deepseek-provider@2026.9.5', 6),
	('mistral', 'Mistral', 'MISTRAL_API_KEY',
	    '@openclaw/mistral-provider@2026.9.5', 7),
	('xai', 'xAI (Grok)', 'XAI_API_KEY', NULL, 8),
	('together', 'Together AI', 'TOGETHER_API_KEY', NULL, 9);

-- Starter: the bundled providers and DeepSeek (one external plugin);
-- every other plan there is (Professional, Enterprise, an operator's):
-- all of them.  docs/operator.md "Plans".
INSERT INTO plan_providers (plan, provider)
SELECT p.name, a.provider FROM plans p CROSS JOIN ai_providers a
WHERE p.name <> 'starter' OR a.provider IN ('anthropic', 'openai', 'google',
    'openrouter', 'huggingface', 'deepseek');

-- A plan created later (ochctl, the admin panel) starts with every
-- provider; an operator narrows it by deleting rows here.
CREATE FUNCTION plan_providers_default() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO plan_providers (plan, provider)
	SELECT NEW.name, provider FROM ai_providers;
	RETURN NULL;
END $$;
CREATE TRIGGER plans_providers_default AFTER INSERT ON plans
	FOR EACH ROW EXECUTE FUNCTION plan_providers_default();
