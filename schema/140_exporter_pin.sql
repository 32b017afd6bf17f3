-- 140_exporter_pin: the public-key pin of each VPS's node_exporter.
-- och-setup makes a key and a self-signed certificate for node_exporter
-- at first boot (its web config's tls_server_config); och-agent sends the
-- pin of that key with its ready call, authenticated by the one-time
-- bootstrap token; the poller scrapes https with CURLOPT_PINNEDPUBLICKEY
-- set to it, so the basic-auth password goes only to that key.  The form
-- is libcurl's: "sha256//" and the base64 of the SHA-256 of the DER
-- SubjectPublicKeyInfo.  A rebuild's ready call replaces it (a new disk,
-- a new key); NULL: no pin yet, and the instance is not scraped.
ALTER TABLE instances
	ADD COLUMN exporter_pin text
	    CHECK (exporter_pin ~ '^sha256//[A-Za-z0-9+/]{43}=$');
