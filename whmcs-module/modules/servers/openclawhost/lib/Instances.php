<?php
/**
 * OpenClaw Host WHMCS module: what the module knows about instance objects.
 *
 * Owns: finding the instance of a WHMCS service (the API is keyed on
 * whmcs_service_id, so the module stores nothing of its own), validating
 * instance objects from the API (treated as untrusted), human labels for
 * states, and the drift rules between a WHMCS service status and an
 * instance's desired/actual state.
 *
 * Errors: find() returns the instance or null and throws ApiError when the
 * API fails; fromResponse() and id() throw ApiError (INVALID) on a malformed
 * answer; the rest cannot fail.
 */

namespace WHMCS\Module\Server\OpenClawHost;

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

if (!class_exists(__NAMESPACE__ . '\\ApiClient')) {
    require_once __DIR__ . '/ApiClient.php';
}

class Instances
{
    /**
     * The instance of WHMCS service $serviceId, or null when it has none.
     *
     * @param ApiClient $api
     * @param int       $serviceId
     * @return array|null
     * @throws ApiError
     */
    public static function find(ApiClient $api, $serviceId)
    {
        $data = $api->get('/api/v1/instances', array('whmcs_service_id' => (int)$serviceId));
        $list = self::listFrom($data);
        foreach ($list as $inst) {
            if (!isset($inst['whmcs_service_id']) || (string)$inst['whmcs_service_id'] === (string)(int)$serviceId) {
                self::id($inst);
                return $inst;
            }
        }
        return null;
    }

    /**
     * Every instance the API client can see, page by page (the API caps a
     * page at 500).
     *
     * @param ApiClient $api
     * @param int       $maxPages safety stop
     * @return array[]
     * @throws ApiError
     */
    public static function all(ApiClient $api, $maxPages = 200)
    {
        $out = array();
        $limit = 500;
        for ($page = 0; $page < $maxPages; $page++) {
            $list = self::listFrom($api->get('/api/v1/instances', array('limit' => $limit, 'offset' => $page * $limit)));
            foreach ($list as $inst) {
                $out[] = $inst;
            }
            if (count($list) < $limit) {
                break;
            }
        }
        return $out;
    }

    /**
     * The instance objects of a list answer ({"instances":[...]}).
     *
     * @param array $data
     * @return array[]
     * @throws ApiError INVALID when the answer has no instances list
     */
    public static function listFrom(array $data)
    {
        if (!isset($data['instances']) || !is_array($data['instances'])) {
            throw new ApiError(ApiError::INVALID, 'The API answered without an "instances" list.');
        }
        $out = array();
        foreach ($data['instances'] as $inst) {
            if (is_array($inst)) {
                $out[] = $inst;
            }
        }
        return $out;
    }

    /**
     * The instance object of an answer that is either the object itself or
     * {"instance": {...}}.
     *
     * @param array $data
     * @return array
     * @throws ApiError INVALID when it has no valid id
     */
    public static function fromResponse(array $data)
    {
        if (isset($data['instance']) && is_array($data['instance'])) {
            $data = $data['instance'];
        }
        self::id($data);
        return $data;
    }

    /**
     * The id of an instance object, safe to put in a URL path.
     *
     * @param array $inst
     * @return string
     * @throws ApiError INVALID when missing or malformed
     */
    public static function id(array $inst)
    {
        $id = isset($inst['id']) && is_scalar($inst['id']) ? (string)$inst['id'] : '';
        if (!preg_match('/^[A-Za-z0-9_-]{1,64}$/', $id)) {
            throw new ApiError(ApiError::INVALID, 'The API returned an instance without a valid id.');
        }
        return $id;
    }

    /**
     * A string field of an instance, cleaned; '' when absent.
     *
     * @param array  $inst
     * @param string $key
     * @param int    $max
     * @return string
     */
    public static function field(array $inst, $key, $max = 200)
    {
        if (!isset($inst[$key]) || !is_scalar($inst[$key]) || is_bool($inst[$key])) {
            return '';
        }
        return ApiClient::clean((string)$inst[$key], $max);
    }

    /**
     * Label and Bootstrap colour of a state, for people.
     *
     * @param string $state
     * @return array array(label, class)
     */
    public static function stateLabel($state)
    {
        $labels = array(
            'pending' => array('Queued', 'info'),
            'creating' => array('Being created', 'info'),
            'booting' => array('Starting up', 'info'),
            'active' => array('Active', 'success'),
            'suspending' => array('Suspending', 'warning'),
            'suspended' => array('Suspended', 'warning'),
            'resuming' => array('Resuming', 'info'),
            'resizing' => array('Changing plan', 'info'),
            'rebooting' => array('Rebooting', 'info'),
            'rebuilding' => array('Rebuilding', 'info'),
            'terminating' => array('Terminating', 'default'),
            'terminated' => array('Terminated', 'default'),
            'failed' => array('Needs attention', 'danger'),
        );
        return isset($labels[$state]) ? $labels[$state] : array('Unknown', 'default');
    }

    /**
     * The WHMCS service status the instance corresponds to (server sync).
     *
     * @param array $inst
     * @return string Active, Suspended, Terminated or Pending
     */
    public static function whmcsStatus(array $inst)
    {
        $desired = self::field($inst, 'desired_state');
        $state = self::field($inst, 'state');
        if ($desired === 'terminated' || $state === 'terminated' || $state === 'terminating') {
            return 'Terminated';
        }
        if ($desired === 'suspended' || $state === 'suspended') {
            return 'Suspended';
        }
        if ($state === 'pending' || $state === 'creating' || $state === 'booting') {
            return 'Pending';
        }
        return 'Active';
    }

    /**
     * Why a WHMCS service and its instance disagree, or null when they agree.
     *
     * @param string     $whmcsStatus Active, Suspended, Terminated, Cancelled, Pending, ...
     * @param array|null $inst        null when the service has no instance
     * @param int        $serviceId
     * @return string|null
     */
    public static function drift($whmcsStatus, $inst, $serviceId)
    {
        $status = ucfirst(strtolower(trim((string)$whmcsStatus)));
        $sid = '#' . (int)$serviceId;
        if ($inst === null) {
            if ($status === 'Active' || $status === 'Suspended') {
                return 'Out of sync: service ' . $sid . ' is ' . $status
                    . ' in WHMCS but has no OpenClaw instance (run Create to provision it).';
            }
            return null;
        }
        $desired = self::field($inst, 'desired_state');
        $state = self::field($inst, 'state');
        $id = self::field($inst, 'id');
        $what = 'instance ' . $id . ' is ' . ($state !== '' ? $state : 'in an unknown state')
            . ($desired !== '' && $desired !== $state ? ' (desired ' . $desired . ')' : '');
        if ($status === 'Active') {
            if ($desired === 'suspended' || $desired === 'terminated') {
                return 'Out of sync: service ' . $sid . ' is Active in WHMCS but ' . $what
                    . ' (use Unsuspend, or Create for a terminated instance).';
            }
            if ($state === 'failed') {
                return 'Attention: service ' . $sid . ' is Active in WHMCS but ' . $what
                    . '; last error: ' . (self::field($inst, 'last_error') !== '' ? self::field($inst, 'last_error') : 'none recorded') . '.';
            }
            return null;
        }
        if ($status === 'Suspended') {
            if ($desired === 'active' || $desired === 'terminated') {
                return 'Out of sync: service ' . $sid . ' is Suspended in WHMCS but ' . $what
                    . ' (use Suspend to align).';
            }
            return null;
        }
        if ($status === 'Terminated' || $status === 'Cancelled' || $status === 'Fraud') {
            if ($desired !== 'terminated' && $state !== 'terminated') {
                return 'Out of sync: service ' . $sid . ' is ' . $status . ' in WHMCS but ' . $what
                    . ' and still costs money (use Terminate).';
            }
            return null;
        }
        return null;
    }
}
