<?php
/**
 * Starts fixtures/router.php under `php -S` on a free loopback port, scripts
 * its answers and reads back the requests it received. Also hands out a
 * port nothing listens on (connection refused) and a listening socket that
 * never answers (timeouts).
 */

namespace OpenClawHostTest;

final class FixtureServer
{
    /** @var resource|null */
    private $proc;
    /** @var string */
    private $dir;
    /** @var int */
    private $port;

    public function __construct()
    {
        $this->dir = sys_get_temp_dir() . '/och-whmcs-fixture-' . bin2hex(random_bytes(6));
        mkdir($this->dir, 0700);
        $this->port = self::freePort();
        $cmd = array(PHP_BINARY, '-S', '127.0.0.1:' . $this->port, __DIR__ . '/../fixtures/router.php');
        $env = array('OCH_FIXTURE_STATE' => $this->dir, 'PATH' => (string)getenv('PATH'));
        $this->proc = proc_open($cmd, array(
            0 => array('file', '/dev/null', 'r'),
            1 => array('file', $this->dir . '/server.log', 'a'),
            2 => array('file', $this->dir . '/server.log', 'a'),
        ), $pipes, $this->dir, $env);
        if (!is_resource($this->proc)) {
            throw new \RuntimeException('cannot start php -S');
        }
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $s = @fsockopen('127.0.0.1', $this->port, $errno, $errstr, 0.2);
            if ($s) {
                fclose($s);
                $this->setRoutes(array());
                return;
            }
            usleep(50000);
        }
        $this->stop();
        throw new \RuntimeException('php -S did not start on port ' . $this->port);
    }

    public function stop()
    {
        if (is_resource($this->proc)) {
            proc_terminate($this->proc);
            proc_close($this->proc);
        }
        $this->proc = null;
        foreach ((array)glob($this->dir . '/*') as $f) {
            @unlink($f);
        }
        @rmdir($this->dir);
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** @return int */
    public function port()
    {
        return $this->port;
    }

    /** @return string http://127.0.0.1:port */
    public function url()
    {
        return 'http://127.0.0.1:' . $this->port;
    }

    /**
     * Module server parameters pointing at this server.
     */
    public function serverParams($key = 'ak_0123456789abcdef', $secret = 'fixture-secret-0123456789')
    {
        return array(
            'serverid' => 1,
            'serverhostname' => '127.0.0.1',
            'serverip' => '127.0.0.1',
            'serverport' => (string)$this->port,
            'serversecure' => '',
            'serverusername' => $key,
            'serverpassword' => $secret,
            'serveraccesshash' => '',
        );
    }

    /**
     * What to answer from now on; clears the request record.
     *
     * @param array $routes "METHOD target" => response, see router.php
     */
    public function setRoutes(array $routes)
    {
        $json = json_encode(array('routes' => (object)$routes));
        if ($json === false) {
            throw new \InvalidArgumentException('routes are not JSON-encodable (use body_b64 for bytes)');
        }
        file_put_contents($this->dir . '/scenario.json', $json);
        @unlink($this->dir . '/requests.jsonl');
        @unlink($this->dir . '/forwarded.jsonl');
    }

    /** @return array[] method, target, headers, body */
    public function requests()
    {
        return self::readLines($this->dir . '/requests.jsonl');
    }

    /** @return array[] target, status, body of forwarded requests */
    public function forwarded()
    {
        return self::readLines($this->dir . '/forwarded.jsonl');
    }

    private static function readLines($file)
    {
        $out = array();
        if (is_file($file)) {
            foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
                $out[] = json_decode($line, true);
            }
        }
        return $out;
    }

    /**
     * A loopback port nothing listens on right now.
     */
    public static function freePort()
    {
        $s = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if (!$s) {
            throw new \RuntimeException('no free port: ' . $errstr);
        }
        $name = stream_socket_get_name($s, false);
        fclose($s);
        return (int)substr($name, strrpos($name, ':') + 1);
    }

    /**
     * A listening socket that never accepts: the kernel completes the TCP
     * handshake, nobody ever answers, so clients time out.
     *
     * @return array array(resource, port)
     */
    public static function blackhole()
    {
        $s = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if (!$s) {
            throw new \RuntimeException('cannot listen: ' . $errstr);
        }
        $name = stream_socket_get_name($s, false);
        return array($s, (int)substr($name, strrpos($name, ':') + 1));
    }
}
