<?php
/**
 * OpenClaw Host WHMCS module: work the hooks do outside module calls.
 *
 * Owns: the daily state sync (compare every Active/Suspended service of
 * this module with its instance, and every instance the API still runs
 * with its WHMCS service; copy hostname and IPs into tblhosting; flag drift
 * in the Activity Log without changing billing), and the signed webhooks to
 * POST /api/v1/webhooks/whmcs (client email changed).
 *
 * Errors: run() and clientEmailChanged() never throw; they return a summary
 * whose 'errors' list says what failed (also logged).
 */

namespace WHMCS\Module\Server\OpenClawHost;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

if (!class_exists(__NAMESPACE__ . '\\Instances')) {
    require_once __DIR__ . '/Instances.php';
}
if (!class_exists(__NAMESPACE__ . '\\Database')) {
    require_once __DIR__ . '/Database.php';
}

class Sync
{
    /**
     * The daily sync.
     *
     * @param int $budget stop after this many seconds
     * @return array checked (int), updated (int), drift (string[]), errors (string[])
     */
    public static function run($budget = 300)
    {
        $summary = array('checked' => 0, 'updated' => 0, 'drift' => array(), 'errors' => array());
        try {
            self::sync($summary, time() + (int)$budget);
        } catch (\Throwable $e) {
            $summary['errors'][] = 'Sync stopped: ' . ApiClient::clean($e->getMessage(), 200);
        }
        foreach ($summary['drift'] as $d) {
            self::activity($d);
        }
        foreach ($summary['errors'] as $err) {
            self::activity('Daily sync error: ' . $err);
        }
        self::activity('Daily sync: ' . $summary['checked'] . ' services checked, '
            . $summary['updated'] . ' updated, ' . count($summary['drift']) . ' out of sync, '
            . count($summary['errors']) . ' errors.');
        return $summary;
    }

    /**
     * @param array $summary updated in place
     * @param int   $deadline unix time
     * @return void
     */
    private static function sync(array &$summary, $deadline)
    {
        if (!Database::available()) {
            $summary['errors'][] = 'the WHMCS database layer is not available';
            return;
        }
        $byServer = array();
        foreach (Database::services(array('Active', 'Suspended')) as $row) {
            $byServer[(int)Database::prop($row, 'server')][] = $row;
        }
        foreach ($byServer as $serverId => $rows) {
            if ($serverId <= 0) {
                foreach ($rows as $row) {
                    $summary['drift'][] = 'Service #' . (int)Database::prop($row, 'id')
                        . ' uses OpenClaw Host but has no server assigned.';
                }
                continue;
            }
            $params = Database::serverParams($serverId);
            if ($params === null) {
                $summary['errors'][] = 'server #' . $serverId . ' does not exist';
                continue;
            }
            try {
                $api = ApiClient::fromParams($params, 'DailyCronJob');
            } catch (ApiError $e) {
                $summary['errors'][] = 'server #' . $serverId . ': ' . $e->getMessage();
                continue;
            }
            /* one list request when the API offers it; per service otherwise */
            $known = null;
            try {
                $known = array();
                foreach (Instances::all($api) as $inst) {
                    if (isset($inst['whmcs_service_id']) && is_scalar($inst['whmcs_service_id'])) {
                        $known[(int)$inst['whmcs_service_id']] = $inst;
                    }
                }
            } catch (ApiError $e) {
                $known = null;
            }
            $seen = array();
            foreach ($rows as $row) {
                if (time() > $deadline) {
                    $summary['errors'][] = 'out of time; the rest is checked tomorrow';
                    return;
                }
                $sid = (int)Database::prop($row, 'id');
                $seen[$sid] = true;
                try {
                    if ($known !== null) {
                        $inst = isset($known[$sid]) ? $known[$sid] : null;
                    } else {
                        $inst = Instances::find($api, $sid);
                    }
                } catch (ApiError $e) {
                    $summary['errors'][] = 'service #' . $sid . ': ' . $e->getMessage();
                    continue;
                }
                $summary['checked']++;
                if ($inst !== null) {
                    $update = self::detailUpdates($row, $inst);
                    if ($update) {
                        Database::updateService($sid, $update);
                        $summary['updated']++;
                    }
                }
                $drift = Instances::drift((string)Database::prop($row, 'domainstatus'), $inst, $sid);
                if ($drift !== null) {
                    $summary['drift'][] = $drift;
                }
            }
            if ($known === null) {
                continue;
            }
            /* instances still running for services WHMCS no longer bills */
            foreach ($known as $sid => $inst) {
                if (isset($seen[$sid]) || Instances::field($inst, 'desired_state') === 'terminated') {
                    continue;
                }
                $row = Database::service($sid);
                if ($row === null) {
                    $summary['drift'][] = 'Out of sync: instance ' . Instances::field($inst, 'id')
                        . ' is ' . Instances::field($inst, 'state') . ' for service #' . $sid
                        . ', which does not exist in WHMCS (terminate it in the admin panel).';
                    continue;
                }
                $drift = Instances::drift((string)Database::prop($row, 'domainstatus'), $inst, $sid);
                if ($drift !== null) {
                    $summary['drift'][] = $drift;
                }
            }
        }
    }

    /**
     * tblhosting columns to change so the service shows the instance's
     * hostname and addresses.
     *
     * @param object $row
     * @param array  $inst
     * @return array
     */
    public static function detailUpdates($row, array $inst)
    {
        $out = array();
        foreach (array('domain' => 'hostname', 'dedicatedip' => 'ipv4', 'assignedips' => 'ipv6') as $col => $key) {
            $value = Instances::field($inst, $key);
            if ($value !== '' && $value !== (string)Database::prop($row, $col)) {
                $out[$col] = $value;
            }
        }
        return $out;
    }

    /**
     * Tell the API a client's email changed, once per server the client's
     * services use.
     *
     * @param int    $userId
     * @param string $oldEmail
     * @param string $newEmail
     * @return array sent (int), errors (string[])
     */
    public static function clientEmailChanged($userId, $oldEmail, $newEmail)
    {
        $summary = array('sent' => 0, 'errors' => array());
        try {
            if (!Database::available()) {
                return $summary;
            }
            $servers = array();
            foreach (Database::services(array(), null, (int)$userId) as $row) {
                $s = (int)Database::prop($row, 'server');
                if ($s > 0) {
                    $servers[$s] = true;
                }
            }
            foreach (array_keys($servers) as $serverId) {
                try {
                    $params = Database::serverParams($serverId);
                    if ($params === null) {
                        continue;
                    }
                    $api = ApiClient::fromParams($params, 'ClientEdit');
                    $api->post('/api/v1/webhooks/whmcs', array(
                        'event' => 'client.email_changed',
                        'whmcs_client_id' => (int)$userId,
                        'email' => (string)$newEmail,
                        'old_email' => (string)$oldEmail,
                    ));
                    $summary['sent']++;
                } catch (ApiError $e) {
                    $summary['errors'][] = 'server #' . $serverId . ': ' . $e->getMessage();
                }
            }
        } catch (\Throwable $e) {
            $summary['errors'][] = ApiClient::clean($e->getMessage(), 200);
        }
        foreach ($summary['errors'] as $err) {
            self::activity('Could not tell the API about client #' . (int)$userId . '\'s new email: ' . $err);
        }
        return $summary;
    }

    /**
     * One Activity Log line.
     *
     * @param string $text
     * @return void
     */
    private static function activity($text)
    {
        if (function_exists('logActivity')) {
            try {
                \logActivity('OpenClaw Host: ' . $text);
            } catch (\Throwable $e) {
                /* best effort */
            }
        }
    }
}
