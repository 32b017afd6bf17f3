<?php
/**
 * OpenClaw Host WHMCS module: the one exception type the API client throws.
 *
 * Every failure (bad server entry, transport, timeout, TLS, non-JSON answer,
 * API error) becomes an ApiError whose message is short, staff-readable and
 * free of secrets. Module functions catch it and return the message; it never
 * reaches WHMCS itself.
 */

namespace WHMCS\Module\Server\OpenClawHost;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

class ApiError extends \RuntimeException
{
    /* kinds of failure */
    const CONFIG = 'config';            /* server entry or service incomplete */
    const TRANSPORT = 'transport';      /* could not connect, DNS, reset */
    const TIMEOUT = 'timeout';          /* no answer in time */
    const TLS = 'tls';                  /* certificate or handshake */
    const REDIRECT = 'redirect';        /* 3xx: wrong hostname or scheme */
    const INVALID = 'invalid_response'; /* not JSON, wrong shape, too big */
    const HTTP = 'http';                /* a JSON error from the API */

    /** @var string */
    private $kind;
    /** @var int */
    private $httpStatus;
    /** @var string */
    private $apiCode;

    /**
     * @param string $kind       one of the constants above
     * @param string $message    staff-readable, no secrets
     * @param int    $httpStatus 0 when no HTTP answer was received
     * @param string $apiCode    the API's stable error code, '' if none
     */
    public function __construct($kind, $message, $httpStatus = 0, $apiCode = '')
    {
        parent::__construct((string)$message);
        $this->kind = (string)$kind;
        $this->httpStatus = (int)$httpStatus;
        $this->apiCode = (string)$apiCode;
    }

    /** @return string */
    public function getKind()
    {
        return $this->kind;
    }

    /** @return int */
    public function getHttpStatus()
    {
        return $this->httpStatus;
    }

    /** @return string */
    public function getApiCode()
    {
        return $this->apiCode;
    }

    /**
     * True when the API answered 404 (the object does not exist, or the
     * route does not exist on an older control plane).
     *
     * @return bool
     */
    public function isNotFound()
    {
        return $this->kind === self::HTTP && $this->httpStatus === 404;
    }
}
