<?php
/**
 * OpenClaw Host WHMCS module: the few WHMCS tables the module reads.
 *
 * Owns: the services of this module (tblproducts.servertype = openclawhost,
 * tblhosting), a server entry's credentials (tblservers, password decrypted
 * with WHMCS's decrypt()), and updates of usage/IP columns of tblhosting.
 * Used by UsageUpdate and by the hooks, which run outside a module call and
 * so get no $params.
 *
 * Errors: available() says whether WHMCS's database layer (Capsule) exists;
 * every other method throws whatever Capsule throws (callers catch
 * \Throwable) and returns arrays/objects/null otherwise.
 */

namespace WHMCS\Module\Server\OpenClawHost;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

class Database
{
    const MODULE = 'openclawhost';

    /** @return bool */
    public static function available()
    {
        return class_exists('WHMCS\\Database\\Capsule');
    }

    /**
     * Ids of the products that use this module.
     *
     * @return int[]
     */
    public static function productIds()
    {
        $ids = array();
        foreach (\WHMCS\Database\Capsule::table('tblproducts')->where('servertype', self::MODULE)->get() as $row) {
            $ids[] = (int)self::prop($row, 'id');
        }
        return $ids;
    }

    /**
     * Services (tblhosting rows) of this module's products.
     *
     * @param string[] $statuses domainstatus values, all when empty
     * @param int|null $serverId only this server
     * @param int|null $userId   only this client
     * @return object[]
     */
    public static function services(array $statuses = array(), $serverId = null, $userId = null)
    {
        $pids = self::productIds();
        if (!$pids) {
            return array();
        }
        $q = \WHMCS\Database\Capsule::table('tblhosting')->whereIn('packageid', $pids);
        if ($statuses) {
            $q = $q->whereIn('domainstatus', $statuses);
        }
        if ($serverId !== null) {
            $q = $q->where('server', (int)$serverId);
        }
        if ($userId !== null) {
            $q = $q->where('userid', (int)$userId);
        }
        $out = array();
        foreach ($q->get() as $row) {
            $out[] = $row;
        }
        return $out;
    }

    /**
     * One service row, or null.
     *
     * @param int $serviceId
     * @return object|null
     */
    public static function service($serviceId)
    {
        $row = \WHMCS\Database\Capsule::table('tblhosting')->where('id', (int)$serviceId)->first();
        return $row ? $row : null;
    }

    /**
     * Module-style server parameters of a server entry, or null when the
     * server does not exist.
     *
     * @param int $serverId
     * @return array|null
     */
    public static function serverParams($serverId)
    {
        $row = \WHMCS\Database\Capsule::table('tblservers')->where('id', (int)$serverId)->first();
        if (!$row) {
            return null;
        }
        $password = (string)self::prop($row, 'password');
        if ($password !== '' && function_exists('decrypt')) {
            $password = (string)\decrypt($password);
        }
        return array(
            'serverid' => (int)self::prop($row, 'id'),
            'serverhostname' => (string)self::prop($row, 'hostname'),
            'serverip' => (string)self::prop($row, 'ipaddress'),
            'serversecure' => (string)self::prop($row, 'secure'),
            'serverport' => (string)self::prop($row, 'port'),
            'serverusername' => (string)self::prop($row, 'username'),
            'serverpassword' => $password,
            'serveraccesshash' => (string)self::prop($row, 'accesshash'),
        );
    }

    /**
     * Update columns of one tblhosting row.
     *
     * @param int   $serviceId
     * @param array $fields column => value
     * @return void
     */
    public static function updateService($serviceId, array $fields)
    {
        if ($fields) {
            \WHMCS\Database\Capsule::table('tblhosting')->where('id', (int)$serviceId)->update($fields);
        }
    }

    /**
     * A column of a row object, '' when absent.
     *
     * @param object $row
     * @param string $name
     * @return mixed
     */
    public static function prop($row, $name)
    {
        if (is_object($row) && isset($row->$name)) {
            return $row->$name;
        }
        if (is_array($row) && isset($row[$name])) {
            return $row[$name];
        }
        return '';
    }
}
