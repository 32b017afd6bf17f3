-- 311_model_slashes: a model id may have slashes of its own after the
-- provider: Hugging Face's and OpenRouter's are "<org>/<model>"
-- ("huggingface/deepseek-ai/DeepSeek-R1", as `openclaw models list`
-- names them).  Same bounds as before otherwise.
ALTER TABLE instances DROP CONSTRAINT instances_model_primary_check;
ALTER TABLE instances ADD CONSTRAINT instances_model_primary_check CHECK
	(model_primary ~ '^[a-z0-9-]{1,32}/[A-Za-z0-9._:-]+(/[A-Za-z0-9._:-]+)*$'
	AND length(model_primary) <= 133);
