<?php
/**
 * OpenClaw Host WHMCS module: HMAC-signed HTTPS client for the control-plane API.
 *
 * Owns: building the API base URL from a WHMCS server entry, signing every
 * request exactly as docs/api.md, Authentication, says (X-OCH-Key / -Timestamp
 * / -Nonce / -Signature over METHOD, request target, timestamp, nonce and the
 * body's SHA-256), the transport (PHP curl, short timeouts, no redirects, TLS
 * verified, answers capped at 1 MiB), turning every failure into an ApiError
 * with a staff-readable message, and one module-log entry per call with the
 * secret in WHMCS's mask list and tokens redacted.
 *
 * Errors: request(), get() and post() return the decoded JSON object or throw
 * ApiError; nothing else is thrown. fromParams() throws ApiError (CONFIG) when
 * the server entry is incomplete.
 */

namespace WHMCS\Module\Server\OpenClawHost;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

if (!class_exists(__NAMESPACE__ . '\\ApiError')) {
    require_once __DIR__ . '/ApiError.php';
}

class ApiClient
{
    const MODULE = 'openclawhost';
    const VERSION = '1.0.0';
    const MAX_RESPONSE_BYTES = 1048576;
    const LOG_BODY_BYTES = 8192;

    /** @var array defaults for every client; tests shorten the timeouts */
    private static $defaults = array(
        'timeout' => 15,          /* whole request, seconds (may be fractional) */
        'connect_timeout' => 5,   /* TCP + TLS handshake, seconds */
        'verify_tls' => true,
    );

    /** @var string scheme://host[:port], no trailing slash */
    private $baseUrl;
    /** @var string */
    private $key;
    /** @var string */
    private $secret;
    /** @var array */
    private $options;
    /** @var string label of the module-log entries */
    private $action = 'API';
    /** @var string[] values WHMCS masks in the module log */
    private $mask;

    /**
     * @param string $baseUrl e.g. https://api.example.com or http://127.0.0.1:8080
     * @param string $key     the API client id (ak_...)
     * @param string $secret  the API client secret
     * @param array  $options timeout, connect_timeout, verify_tls
     * @throws ApiError CONFIG when baseUrl is plain http to a host other than loopback
     */
    public function __construct($baseUrl, $key, $secret, array $options = array())
    {
        self::requireTls((string)$baseUrl);
        $this->baseUrl = rtrim((string)$baseUrl, '/');
        $this->key = (string)$key;
        $this->secret = (string)$secret;
        $this->options = array_merge(self::$defaults, $options);
        $this->mask = self::maskList(array($this->secret));
    }

    /**
     * Change the defaults of clients created from now on (tests use it to
     * keep timeouts short; staff never need it).
     *
     * @param array $options
     * @return void
     */
    public static function setDefaults(array $options)
    {
        self::$defaults = array_merge(self::$defaults, $options);
    }

    /** @return array */
    public static function getDefaults()
    {
        return self::$defaults;
    }

    /**
     * A client for the server entry in WHMCS module parameters.
     *
     * @param array  $params WHMCS module or server parameters
     * @param string $action label for the module log (the module function)
     * @param array  $options
     * @return ApiClient
     * @throws ApiError CONFIG when hostname, client id or secret is missing
     */
    public static function fromParams(array $params, $action = 'API', array $options = array())
    {
        $base = self::baseUrlFromParams($params);
        $key = trim(self::param($params, 'serverusername'));
        if ($key === '') {
            throw new ApiError(ApiError::CONFIG, 'The server entry has no API client id: '
                . 'enter it in the server\'s Username field (it looks like ak_...).');
        }
        if (!preg_match('/^[\x21-\x7e]{1,200}$/', $key)) {
            throw new ApiError(ApiError::CONFIG, 'The API client id in the server\'s Username field '
                . 'contains spaces or invalid characters.');
        }
        $secret = self::secretFromParams($params);
        if ($secret === '') {
            throw new ApiError(ApiError::CONFIG, 'The server entry has no API secret: '
                . 'enter it in the server\'s Password field (or Access Hash).');
        }
        $client = new self($base, $key, $secret, $options);
        $client->action = (string)$action;
        $client->mask = self::maskList(array(
            $secret,
            self::param($params, 'serverpassword'),
            self::param($params, 'serveraccesshash'),
        ));
        return $client;
    }

    /**
     * The API base URL of a server entry: http(s)://hostname[:port].
     *
     * @param array $params
     * @return string
     * @throws ApiError CONFIG when the hostname is missing or not a host name
     */
    public static function baseUrlFromParams(array $params)
    {
        $host = trim(self::param($params, 'serverhostname'));
        if ($host === '') {
            $host = trim(self::param($params, 'serverip'));
        }
        if ($host === '') {
            throw new ApiError(ApiError::CONFIG, 'The server entry has no hostname: enter the '
                . 'host name of the OpenClaw Host API (for example api.example.com).');
        }
        $secure = self::isSecure($params);
        if (preg_match('#^(https?)://#i', $host, $m)) {
            $secure = strtolower($m[1]) === 'https';
            $host = substr($host, strlen($m[0]));
        }
        $host = rtrim($host, '/');
        $port = '';
        if (preg_match('/^\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?$/', $host, $m)) {
            $name = '[' . $m[1] . ']';
            $port = isset($m[2]) ? $m[2] : '';
        } elseif (substr_count($host, ':') >= 2 && preg_match('/^[0-9A-Fa-f:.]+$/', $host)) {
            $name = '[' . $host . ']';
        } elseif (preg_match('/^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::([0-9]{1,5}))?$/', $host, $m)) {
            $name = $m[1];
            $port = isset($m[2]) ? $m[2] : '';
        } else {
            throw new ApiError(ApiError::CONFIG, 'The server hostname "' . self::clean($host, 80)
                . '" is not a host name: enter only the host (for example api.example.com), without a path.');
        }
        if ($port === '') {
            $port = trim(self::param($params, 'serverport'));
        }
        $url = ($secure ? 'https' : 'http') . '://' . $name;
        if ($port !== '' && ctype_digit($port)) {
            $p = (int)$port;
            if ($p < 1 || $p > 65535) {
                throw new ApiError(ApiError::CONFIG, 'The server port ' . $p . ' is not a valid port.');
            }
            if (!(($secure && $p === 443) || (!$secure && $p === 80))) {
                $url .= ':' . $p;
            }
        }
        self::requireTls($url);
        return $url;
    }

    /**
     * The secret and every request travel to the API: only over HTTPS, except
     * to a loopback address (127.0.0.0/8, localhost, [::1]: a test or a local
     * demo).
     *
     * @param string $url scheme://host[:port]...
     * @return void
     * @throws ApiError CONFIG when $url is not https and not loopback
     */
    public static function requireTls($url)
    {
        if (preg_match('#^https://#i', $url)) {
            return;
        }
        if (preg_match('#^http://(127(?:\.[0-9]{1,3}){3}|localhost|\[::1\])(?::[0-9]{1,5})?(?:/|$)#i', $url)) {
            return;
        }
        throw new ApiError(ApiError::CONFIG, 'The OpenClaw Host API must be reached over HTTPS: '
            . 'tick "Secure" on the server entry (plain http is allowed only to 127.0.0.1 or localhost).');
    }

    /**
     * The secret of a server entry: the Password field, else the Access Hash.
     *
     * @param array $params
     * @return string '' when neither is set
     */
    public static function secretFromParams(array $params)
    {
        $secret = trim(self::param($params, 'serverpassword'));
        if ($secret === '') {
            $secret = trim(self::param($params, 'serveraccesshash'));
        }
        return $secret;
    }

    /**
     * Whether the server entry asks for HTTPS ("Secure" ticked). WHMCS passes
     * true/false or "on"/""; without the key, serverhttpprefix decides, else
     * HTTPS.
     *
     * @param array $params
     * @return bool
     */
    public static function isSecure(array $params)
    {
        if (array_key_exists('serversecure', $params)) {
            $v = $params['serversecure'];
            if (is_bool($v)) {
                return $v;
            }
            if (!is_scalar($v)) {
                return false;
            }
            return in_array(strtolower(trim((string)$v)), array('on', '1', 'true', 'yes'), true);
        }
        if (isset($params['serverhttpprefix']) && is_string($params['serverhttpprefix'])) {
            return strtolower($params['serverhttpprefix']) !== 'http';
        }
        return true;
    }

    /** @return string */
    public function getBaseUrl()
    {
        return $this->baseUrl;
    }

    /** @return string */
    public function getKey()
    {
        return $this->key;
    }

    /**
     * @param string $action label of the following module-log entries
     * @return ApiClient $this
     */
    public function setAction($action)
    {
        $this->action = (string)$action;
        return $this;
    }

    /**
     * The canonical string (docs/api.md, Authentication).
     *
     * @param string $method    GET, POST
     * @param string $target    path and query exactly as sent
     * @param string $timestamp unix seconds
     * @param string $nonce     lowercase hex
     * @param string $body      raw body ('' for GET)
     * @return string
     */
    public static function canonical($method, $target, $timestamp, $nonce, $body)
    {
        return $method . "\n" . $target . "\n" . $timestamp . "\n" . $nonce . "\n"
            . hash('sha256', (string)$body);
    }

    /**
     * @param string $secret
     * @param string $canonical
     * @return string lowercase hex HMAC-SHA256
     */
    public static function signature($secret, $canonical)
    {
        return hash_hmac('sha256', $canonical, (string)$secret);
    }

    /**
     * The authentication headers of one request.
     *
     * @param string      $method
     * @param string      $target
     * @param string      $body
     * @param string|null $timestamp now when null
     * @param string|null $nonce     16 random bytes, hex, when null
     * @return array header name => value
     * @throws ApiError when no random bytes can be had
     */
    public function signHeaders($method, $target, $body, $timestamp = null, $nonce = null)
    {
        if ($timestamp === null) {
            $timestamp = (string)time();
        }
        if ($nonce === null) {
            try {
                $nonce = bin2hex(random_bytes(16));
            } catch (\Exception $e) {
                throw new ApiError(ApiError::TRANSPORT, 'No secure random source on this WHMCS server.');
            }
        }
        $canonical = self::canonical($method, $target, (string)$timestamp, $nonce, $body);
        return array(
            'X-OCH-Key' => $this->key,
            'X-OCH-Timestamp' => (string)$timestamp,
            'X-OCH-Nonce' => $nonce,
            'X-OCH-Signature' => self::signature($this->secret, $canonical),
        );
    }

    /**
     * @param string $path  e.g. /api/v1/ping
     * @param array  $query
     * @return array the decoded JSON object
     * @throws ApiError
     */
    public function get($path, array $query = array())
    {
        $r = $this->request('GET', $path, $query, null);
        return $r['data'];
    }

    /**
     * @param string     $path
     * @param array|null $payload sent as a JSON object ({} when empty)
     * @return array the decoded JSON object
     * @throws ApiError
     */
    public function post($path, $payload = null)
    {
        $r = $this->request('POST', $path, array(), $payload);
        return $r['data'];
    }

    /**
     * One signed request. Logs it (module log) whatever the outcome.
     *
     * @param string     $method  GET or POST
     * @param string     $path    absolute path, already URL-safe
     * @param array      $query   encoded RFC 3986 into the request target
     * @param array|null $payload JSON body for non-GET requests
     * @return array array('status' => int, 'data' => array)
     * @throws ApiError
     */
    public function request($method, $path, array $query = array(), $payload = null)
    {
        $method = strtoupper((string)$method);
        $target = (string)$path;
        if ($query) {
            $target .= '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986);
        }
        $body = '';
        if ($method !== 'GET') {
            if ($payload === null || $payload === array()) {
                $payload = new \stdClass();
            }
            $body = json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
            if ($body === false) {
                $e = new ApiError(ApiError::INVALID, 'Could not encode the request as JSON (invalid UTF-8 in a field?).');
                $this->log($method . ' ' . $this->baseUrl . $target, '', $e->getMessage());
                throw $e;
            }
        }
        $url = $this->baseUrl . $target;
        $requestLog = $method . ' ' . $url;
        if ($body !== '') {
            $requestLog .= "\n\n" . self::redactJson($body);
        }

        try {
            $headers = $this->signHeaders($method, $target, $body);
            $answer = $this->transport($method, $url, $headers, $body);
            $data = $this->interpret($answer);
        } catch (ApiError $e) {
            $this->log($requestLog, isset($answer) ? self::responseLog($answer) : '', $e->getMessage());
            throw $e;
        }
        $this->log($requestLog, self::responseLog($answer), self::redact($data));
        return array('status' => $answer['status'], 'data' => $data);
    }

    /**
     * Send one request with curl.
     *
     * @return array status, body, content_type, location, date
     * @throws ApiError TRANSPORT, TIMEOUT, TLS or INVALID (too big)
     */
    private function transport($method, $url, array $headers, $body)
    {
        if (!function_exists('curl_init')) {
            throw new ApiError(ApiError::TRANSPORT, 'The PHP curl extension is not installed on this WHMCS server.');
        }
        $lines = array();
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        $lines[] = 'Accept: application/json';
        $lines[] = 'Expect:';
        if ($method !== 'GET') {
            $lines[] = 'Content-Type: application/json';
        }

        $answer = array('status' => 0, 'body' => '', 'content_type' => '', 'location' => '', 'date' => '');
        $tooBig = false;
        $max = self::MAX_RESPONSE_BYTES;
        $ch = curl_init();
        $verify = !empty($this->options['verify_tls']);
        $opts = array(
            CURLOPT_URL => $url,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_CONNECTTIMEOUT_MS => (int)round((float)$this->options['connect_timeout'] * 1000),
            CURLOPT_TIMEOUT_MS => (int)round((float)$this->options['timeout'] * 1000),
            CURLOPT_NOSIGNAL => true,
            CURLOPT_SSL_VERIFYPEER => $verify,
            CURLOPT_SSL_VERIFYHOST => $verify ? 2 : 0,
            CURLOPT_USERAGENT => 'openclawhost-whmcs/' . self::VERSION,
            CURLOPT_HEADERFUNCTION => function ($h, $line) use (&$answer) {
                if (preg_match('#^HTTP/\S+\s+([0-9]{3})#', $line, $m)) {
                    $answer['content_type'] = '';
                    $answer['location'] = '';
                } elseif (preg_match('/^Content-Type:\s*(.*?)\s*$/i', $line, $m)) {
                    $answer['content_type'] = $m[1];
                } elseif (preg_match('/^Location:\s*(.*?)\s*$/i', $line, $m)) {
                    $answer['location'] = $m[1];
                } elseif (preg_match('/^Date:\s*(.*?)\s*$/i', $line, $m)) {
                    $answer['date'] = $m[1];
                }
                return strlen($line);
            },
            CURLOPT_WRITEFUNCTION => function ($h, $chunk) use (&$answer, &$tooBig, $max) {
                if (strlen($answer['body']) + strlen($chunk) > $max) {
                    $tooBig = true;
                    return 0;
                }
                $answer['body'] .= $chunk;
                return strlen($chunk);
            },
        );
        if (defined('CURLOPT_PROTOCOLS')) {
            $opts[CURLOPT_PROTOCOLS] = CURLPROTO_HTTP | CURLPROTO_HTTPS;
        }
        if ($method === 'GET') {
            $opts[CURLOPT_HTTPGET] = true;
        } else {
            $opts[CURLOPT_CUSTOMREQUEST] = $method;
            $opts[CURLOPT_POSTFIELDS] = $body;
        }
        curl_setopt_array($ch, $opts);
        curl_exec($ch);
        $errno = curl_errno($ch);
        $error = curl_error($ch);
        $answer['status'] = (int)curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);

        if ($tooBig) {
            throw new ApiError(ApiError::INVALID, 'The API at ' . $this->baseUrl . ' sent an answer larger than '
                . (int)($max / 1048576) . ' MiB; it is not the OpenClaw Host API or it misbehaves.');
        }
        if ($errno !== 0) {
            throw $this->transportError($errno, $error);
        }
        return $answer;
    }

    /**
     * @param int    $errno curl error number
     * @param string $error curl error text
     * @return ApiError
     */
    private function transportError($errno, $error)
    {
        $where = $this->baseUrl;
        $detail = self::clean($error, 200);
        switch ($errno) {
            case 28: /* CURLE_OPERATION_TIMEDOUT */
                return new ApiError(ApiError::TIMEOUT, 'The OpenClaw Host API at ' . $where
                    . ' did not answer within ' . self::seconds($this->options['timeout'])
                    . '; it may be down or overloaded. Try again in a few minutes.');
            case 6: /* CURLE_COULDNT_RESOLVE_HOST */
                return new ApiError(ApiError::TRANSPORT, 'Cannot resolve the API host name in ' . $where
                    . ': check the server\'s hostname.');
            case 7: /* CURLE_COULDNT_CONNECT */
                return new ApiError(ApiError::TRANSPORT, 'Cannot connect to the OpenClaw Host API at ' . $where
                    . ' (' . $detail . '). Check the server\'s hostname, port and Secure setting, '
                    . 'and that the API is running.');
            case 35: case 51: case 53: case 54: case 58: case 59: case 60: case 64: case 66:
            case 77: case 80: case 82: case 83: case 90: case 91:
                return new ApiError(ApiError::TLS, 'TLS error talking to ' . $where . ' (' . $detail
                    . '). Check the API\'s certificate, or untick Secure if the API is plain HTTP.');
            case 52: case 55: case 56:
                return new ApiError(ApiError::TRANSPORT, 'The connection to ' . $where
                    . ' broke without a complete answer (' . $detail . '). Try again.');
            default:
                return new ApiError(ApiError::TRANSPORT, 'Request to ' . $where . ' failed (curl error '
                    . (int)$errno . ': ' . $detail . ').');
        }
    }

    /**
     * Turn an HTTP answer into the decoded JSON object of a 2xx, or an error.
     *
     * @param array $answer from transport()
     * @return array
     * @throws ApiError REDIRECT, INVALID or HTTP
     */
    private function interpret(array $answer)
    {
        $status = $answer['status'];
        $body = $answer['body'];
        $where = $this->baseUrl;
        if ($status >= 300 && $status < 400) {
            return $this->fail(ApiError::REDIRECT, 'The API at ' . $where . ' answered with a redirect (HTTP '
                . $status . ($answer['location'] !== '' ? ' to ' . self::clean($answer['location'], 120) : '')
                . '). Check the server\'s hostname and Secure setting: the module must reach the API directly.', $status);
        }
        $data = null;
        if (preg_match('/^\s*\{/', $body)) {
            $data = json_decode($body, true, 64, JSON_BIGINT_AS_STRING);
            if (!is_array($data)) {
                $data = null;
            }
        }
        if ($data === null) {
            $what = self::describeBody($answer);
            if ($status >= 200 && $status < 300) {
                return $this->fail(ApiError::INVALID, 'The API at ' . $where . ' answered HTTP ' . $status
                    . ' with ' . $what . ' instead of JSON: check that the server hostname points at the '
                    . 'OpenClaw Host API.', $status);
            }
            return $this->fail(ApiError::HTTP, self::statusMessage($status, '', 'the answer was ' . $what
                . ', not a JSON error' . ($status >= 500 ? ' (is the API service behind the web server running?)' : ''),
                $answer, $where), $status);
        }
        if ($status >= 200 && $status < 300) {
            return $data;
        }
        $code = '';
        $message = '';
        if (isset($data['error']) && is_array($data['error'])) {
            if (isset($data['error']['code']) && is_scalar($data['error']['code'])) {
                $code = self::clean((string)$data['error']['code'], 60);
            }
            if (isset($data['error']['message']) && is_scalar($data['error']['message'])) {
                $message = self::clean((string)$data['error']['message'], 300);
            }
        } elseif (isset($data['error']) && is_scalar($data['error'])) {
            $message = self::clean((string)$data['error'], 300);
        }
        return $this->fail(ApiError::HTTP, self::statusMessage($status, $code, $message, $answer, $where), $status, $code);
    }

    /**
     * @throws ApiError always
     */
    private function fail($kind, $message, $status = 0, $code = '')
    {
        throw new ApiError($kind, $message, $status, $code);
    }

    /**
     * Staff-readable text for an HTTP error status.
     *
     * @return string
     */
    private static function statusMessage($status, $code, $message, array $answer, $where)
    {
        $tag = 'HTTP ' . (int)$status . ($code !== '' ? ' ' . $code : '');
        $detail = $message !== '' ? $message : 'no details given';
        if ($status === 401) {
            $text = 'Authentication failed (' . $tag . '): check the API client id (server Username), the secret '
                . '(server Password or Access Hash) and that this server\'s clock is correct';
            $skew = self::clockSkew($answer['date']);
            if ($skew !== null && abs($skew) > 240) {
                $text .= ' (it differs from the API\'s by ' . abs($skew) . ' s)';
            }
            return $text;
        }
        if ($status === 403) {
            return 'Permission denied by the API (' . $tag . '): ' . $detail;
        }
        if ($status === 404) {
            return 'Not found (' . $tag . '): ' . $detail;
        }
        if ($status === 409) {
            return 'Refused by the API (' . $tag . '): ' . $detail;
        }
        if ($status === 429) {
            return 'The API is rate limiting requests (' . $tag . '); try again in a minute';
        }
        if ($status >= 500) {
            return 'The OpenClaw Host API at ' . $where . ' failed (' . $tag . '): ' . $detail . '. Try again later';
        }
        return 'The API rejected the request (' . $tag . '): ' . $detail;
    }

    /**
     * Seconds between the API's Date header and this server's clock, or null.
     */
    private static function clockSkew($date)
    {
        if ($date === '') {
            return null;
        }
        $t = strtotime($date);
        if ($t === false) {
            return null;
        }
        return time() - $t;
    }

    /** @return string e.g. "an HTML page", "an empty answer" */
    private static function describeBody(array $answer)
    {
        $body = $answer['body'];
        if (trim($body) === '') {
            return 'an empty answer';
        }
        if (stripos($answer['content_type'], 'html') !== false || preg_match('/^\s*</', $body)) {
            return 'an HTML page';
        }
        return 'data that is not valid JSON';
    }

    /** @return string "5 s", "0.5 s" */
    private static function seconds($v)
    {
        $f = (float)$v;
        return (floor($f) == $f ? (string)(int)$f : (string)$f) . ' s';
    }

    /**
     * Printable, tag-free, length-capped text from an untrusted string.
     *
     * @param string $s
     * @param int    $max bytes
     * @return string
     */
    public static function clean($s, $max = 300)
    {
        $s = strip_tags((string)$s);
        $s = preg_replace('/[\x00-\x1F\x7F]+/', ' ', $s);
        if (!is_string($s)) {
            return '';
        }
        $s = trim($s);
        if (strlen($s) > $max) {
            $s = function_exists('mb_strcut') ? mb_strcut($s, 0, $max, 'UTF-8') : substr($s, 0, $max);
            $s .= '...';
        }
        return $s;
    }

    /**
     * The response part of a module-log entry.
     */
    private static function responseLog(array $answer)
    {
        $head = 'HTTP ' . $answer['status'] . ($answer['content_type'] !== '' ? ' ' . $answer['content_type'] : '');
        if ($answer['body'] === '') {
            return $head;
        }
        return $head . "\n\n" . self::redactJson($answer['body']);
    }

    /**
     * A body for the log: JSON re-encoded with token-like values redacted,
     * anything else cut to LOG_BODY_BYTES.
     */
    private static function redactJson($body)
    {
        $data = json_decode($body, true, 64, JSON_BIGINT_AS_STRING);
        if (is_array($data)) {
            $out = json_encode(self::redact($data), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
            if (is_string($out)) {
                return strlen($out) > self::LOG_BODY_BYTES ? substr($out, 0, self::LOG_BODY_BYTES) . "\n..." : $out;
            }
        }
        return strlen($body) > self::LOG_BODY_BYTES ? substr($body, 0, self::LOG_BODY_BYTES) . "\n..." : $body;
    }

    /**
     * A copy of decoded JSON with values under token-like keys, and URLs
     * carrying a token (single sign-on links), replaced.
     *
     * @param mixed $data
     * @return mixed
     */
    public static function redact($data)
    {
        if (!is_array($data)) {
            return $data;
        }
        $out = array();
        foreach ($data as $k => $v) {
            if (is_string($k) && preg_match('/token|secret|password|passwd/i', $k)) {
                $out[$k] = '[redacted]';
            } elseif (is_string($v) && preg_match('/[?&#](token|sso|code)=/i', $v)) {
                $out[$k] = '[redacted]';
            } else {
                $out[$k] = self::redact($v);
            }
        }
        return $out;
    }

    /**
     * Values WHMCS should mask in the module log: non-trivial, distinct.
     */
    private static function maskList(array $values)
    {
        $out = array();
        foreach ($values as $v) {
            $v = trim((string)$v);
            if (strlen($v) >= 4 && !in_array($v, $out, true)) {
                $out[] = $v;
            }
        }
        return $out;
    }

    /**
     * Add values (e.g. a one-time token) to the module-log mask list.
     *
     * @param string[] $values
     * @return void
     */
    public function addMask(array $values)
    {
        $this->mask = self::maskList(array_merge($this->mask, $values));
    }

    /** @return string[] */
    public function getMask()
    {
        return $this->mask;
    }

    /**
     * A string parameter, '' when absent or not a scalar.
     *
     * @param array  $params
     * @param string $key
     * @return string
     */
    public static function param(array $params, $key)
    {
        if (!isset($params[$key]) || !is_scalar($params[$key]) || is_bool($params[$key])) {
            return '';
        }
        return (string)$params[$key];
    }

    /**
     * Write one module-log entry; never fails.
     */
    private function log($request, $response, $processed)
    {
        if (!function_exists('logModuleCall')) {
            return;
        }
        try {
            \logModuleCall(self::MODULE, $this->action, $request, $response, $processed, $this->mask);
        } catch (\Throwable $e) {
            /* the log is best effort */
        }
    }
}
