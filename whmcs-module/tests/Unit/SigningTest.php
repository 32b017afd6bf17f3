<?php
/**
 * Request signing (docs/api.md, Authentication): the PHP client reproduces
 * every case of the test vectors the C server's tests read too
 * (t/vectors/hmac.json), and the headers it sends carry a fresh timestamp
 * and a 16-byte hex nonce.
 */

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\OpenClawHost\ApiClient;

final class SigningTest extends TestCase
{
    private static function vectorsFile()
    {
        $src = getenv('OCH_SRCDIR');
        if (!is_string($src) || $src === '') {
            $src = dirname(__DIR__, 3);
        }
        return $src . '/t/vectors/hmac.json';
    }

    public function vectors(): array
    {
        $file = self::vectorsFile();
        $data = is_file($file) ? json_decode((string)file_get_contents($file), true) : null;
        if (!is_array($data) || !$data) {
            /* a failing case, not a silent skip: the shared vectors must exist */
            return array('vectors file missing or empty: ' . $file => array(null));
        }
        $out = array();
        foreach ($data as $i => $v) {
            $out[(is_array($v) && isset($v['name']) ? $v['name'] : 'case ' . $i)] = array($v);
        }
        return $out;
    }

    /**
     * @dataProvider vectors
     */
    public function testVector($v)
    {
        $this->assertIsArray($v, 'the shared vectors file ' . self::vectorsFile() . ' is readable');
        foreach (array('secret', 'method', 'target', 'timestamp', 'nonce', 'body', 'canonical', 'signature') as $k) {
            $this->assertArrayHasKey($k, $v);
        }
        $canonical = ApiClient::canonical($v['method'], $v['target'], (string)$v['timestamp'], $v['nonce'], $v['body']);
        $this->assertSame($v['canonical'], $canonical, 'canonical string');
        $this->assertSame($v['signature'], ApiClient::signature($v['secret'], $canonical), 'signature');

        $client = new ApiClient('http://127.0.0.1:1', 'ak_0000000000000000', $v['secret']);
        $h = $client->signHeaders($v['method'], $v['target'], $v['body'], (string)$v['timestamp'], $v['nonce']);
        $this->assertSame($v['signature'], $h['X-OCH-Signature'], 'header signature');
        $this->assertSame((string)$v['timestamp'], $h['X-OCH-Timestamp']);
        $this->assertSame($v['nonce'], $h['X-OCH-Nonce']);
    }

    public function testFreshHeaders()
    {
        $client = new ApiClient('http://127.0.0.1:1', 'ak_0123456789abcdef', 'secret');
        $before = time();
        $a = $client->signHeaders('GET', '/api/v1/ping', '');
        $b = $client->signHeaders('GET', '/api/v1/ping', '');
        $this->assertSame('ak_0123456789abcdef', $a['X-OCH-Key']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $a['X-OCH-Nonce']);
        $this->assertNotSame($a['X-OCH-Nonce'], $b['X-OCH-Nonce'], 'a new nonce per request');
        $this->assertGreaterThanOrEqual($before, (int)$a['X-OCH-Timestamp']);
        $this->assertLessThanOrEqual(time(), (int)$a['X-OCH-Timestamp']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $a['X-OCH-Signature']);
        $expect = hash_hmac('sha256', "GET\n/api/v1/ping\n" . $a['X-OCH-Timestamp'] . "\n" . $a['X-OCH-Nonce']
            . "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 'secret');
        $this->assertSame($expect, $a['X-OCH-Signature']);
    }

    public function baseUrls(): array
    {
        return array(
            'https default' => array(array('serverhostname' => 'api.example.com', 'serversecure' => 'on'), 'https://api.example.com'),
            'bool secure' => array(array('serverhostname' => 'api.example.com', 'serversecure' => true), 'https://api.example.com'),
            'http to loopback' => array(array('serverhostname' => 'localhost', 'serversecure' => ''), 'http://localhost'),
            'port' => array(array('serverhostname' => '127.0.0.1', 'serversecure' => '', 'serverport' => '8080'), 'http://127.0.0.1:8080'),
            'default port dropped' => array(array('serverhostname' => 'api.example.com', 'serversecure' => 'on', 'serverport' => '443'), 'https://api.example.com'),
            'port in hostname' => array(array('serverhostname' => 'api.example.com:8443', 'serversecure' => 'on', 'serverport' => '443'), 'https://api.example.com:8443'),
            'url typed as hostname' => array(array('serverhostname' => 'https://api.example.com/', 'serversecure' => ''), 'https://api.example.com'),
            'ip fallback' => array(array('serverhostname' => '', 'serverip' => '192.0.2.10', 'serversecure' => 'on'), 'https://192.0.2.10'),
            'ipv6' => array(array('serverhostname' => '2001:db8::1', 'serversecure' => 'on', 'serverport' => '8443'), 'https://[2001:db8::1]:8443'),
            'prefix only' => array(array('serverhostname' => 'api.example.com', 'serverhttpprefix' => 'https'), 'https://api.example.com'),
            'ipv6 loopback' => array(array('serverhostname' => '::1', 'serversecure' => '', 'serverport' => '8080'), 'http://[::1]:8080'),
        );
    }

    /**
     * @dataProvider baseUrls
     */
    public function testBaseUrlFromServerEntry(array $params, $expect)
    {
        $this->assertSame($expect, ApiClient::baseUrlFromParams($params));
    }

    public function plainHttpElsewhere(): array
    {
        return array(
            'not ticked' => array(array('serverhostname' => 'api.example.com', 'serversecure' => '')),
            'prefix http' => array(array('serverhostname' => 'api.example.com', 'serverhttpprefix' => 'http')),
            'url typed' => array(array('serverhostname' => 'http://api.example.com', 'serversecure' => 'on')),
            'private address' => array(array('serverhostname' => '10.0.0.5', 'serversecure' => '', 'serverport' => '8080')),
            'loopback look-alike' => array(array('serverhostname' => '127.0.0.1.evil.example', 'serversecure' => '')),
            'localhost look-alike' => array(array('serverhostname' => 'localhost.evil.example', 'serversecure' => '')),
        );
    }

    /**
     * The secret must not travel in clear: plain http to anything but
     * loopback is refused with a message staff can act on.
     *
     * @dataProvider plainHttpElsewhere
     */
    public function testPlainHttpToARemoteApiIsRefused(array $params)
    {
        try {
            ApiClient::fromParams($params + array('serverusername' => 'ak_1', 'serverpassword' => 'secret'));
            $this->fail('plain http accepted');
        } catch (\WHMCS\Module\Server\OpenClawHost\ApiError $e) {
            $this->assertSame(\WHMCS\Module\Server\OpenClawHost\ApiError::CONFIG, $e->getKind());
            $this->assertStringContainsString('HTTPS', $e->getMessage());
            $this->assertStringNotContainsString('secret', $e->getMessage());
        }
    }

    public function testConstructorRefusesPlainHttpToo()
    {
        $this->expectException(\WHMCS\Module\Server\OpenClawHost\ApiError::class);
        new ApiClient('http://api.example.com', 'ak_1', 'secret');
    }

    public function testSecretPrefersPasswordThenAccessHash()
    {
        $this->assertSame('pw', ApiClient::secretFromParams(array('serverpassword' => ' pw ', 'serveraccesshash' => 'ah')));
        $this->assertSame('ah', ApiClient::secretFromParams(array('serverpassword' => '', 'serveraccesshash' => "ah\n")));
        $this->assertSame('', ApiClient::secretFromParams(array()));
    }

    public function testClientIdWithControlCharactersIsRefused()
    {
        $this->expectException(\WHMCS\Module\Server\OpenClawHost\ApiError::class);
        ApiClient::fromParams(array('serverhostname' => 'api.example.com', 'serverusername' => "ak_1\r\nX: y",
            'serverpassword' => 'secret'));
    }
}
