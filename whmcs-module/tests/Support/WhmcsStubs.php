<?php
/**
 * Test stand-ins for the parts of WHMCS the module touches: the global
 * helper functions (logModuleCall, add_hook, localAPI, logActivity,
 * decrypt), the Capsule query builder over in-memory tables, and the client
 * area menu (Menu::context, menu items). Every call is recorded in
 * OpenClawHostTest\Whmcs so tests can assert on it.
 */

namespace OpenClawHostTest {

    final class Whmcs
    {
        /** @var array[] logModuleCall entries: module, action, request, response, processed, mask */
        public static $moduleLog = array();
        /** @var array[] add_hook registrations: point, priority, callable */
        public static $hooks = array();
        /** @var array[] localAPI calls: command, values */
        public static $localApi = array();
        /** @var array command => response for localAPI */
        public static $localApiResponses = array();
        /** @var string[] logActivity lines */
        public static $activity = array();

        public static function reset()
        {
            self::$moduleLog = array();
            self::$localApi = array();
            self::$localApiResponses = array();
            self::$activity = array();
            \WHMCS\Database\Capsule::$tables = array();
            \WHMCS\Database\Capsule::$updates = array();
            \Menu::$context = array();
        }

        /**
         * The module log (less the mask lists) with WHMCS's masking NOT
         * applied, as one string: a secret found here was handed to
         * logModuleCall in clear.
         */
        public static function rawLog()
        {
            $entries = array();
            foreach (self::$moduleLog as $e) {
                unset($e['mask']);
                $entries[] = $e;
            }
            return json_encode($entries, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        }
    }

    /** A client-area menu item with just what the hooks use. */
    final class MenuItem
    {
        public $name;
        public $attributes;
        /** @var MenuItem[] */
        public $children = array();

        public function __construct($name, array $attributes = array())
        {
            $this->name = $name;
            $this->attributes = $attributes;
        }

        public function getChild($name)
        {
            return isset($this->children[$name]) ? $this->children[$name] : null;
        }

        public function addChild($name, array $attributes = array())
        {
            $this->children[$name] = new MenuItem($name, $attributes);
            return $this->children[$name];
        }
    }

    /** The subset of Laravel's query builder the module uses. */
    final class FakeQuery
    {
        private $table;
        private $wheres = array();

        public function __construct($table)
        {
            $this->table = $table;
        }

        public function where($column, $op, $value = null)
        {
            if (func_num_args() === 2) {
                $value = $op;
                $op = '=';
            }
            if ($op !== '=') {
                throw new \LogicException('FakeQuery supports only =');
            }
            $this->wheres[] = array($column, array($value));
            return $this;
        }

        public function whereIn($column, array $values)
        {
            $this->wheres[] = array($column, $values);
            return $this;
        }

        private function matches(array $row)
        {
            foreach ($this->wheres as $w) {
                list($column, $values) = $w;
                if (!array_key_exists($column, $row)) {
                    throw new \LogicException('unknown column ' . $this->table . '.' . $column);
                }
                $hit = false;
                foreach ($values as $v) {
                    if ((string)$row[$column] === (string)$v) {
                        $hit = true;
                    }
                }
                if (!$hit) {
                    return false;
                }
            }
            return true;
        }

        public function get($columns = array('*'))
        {
            $out = array();
            $rows = isset(\WHMCS\Database\Capsule::$tables[$this->table]) ? \WHMCS\Database\Capsule::$tables[$this->table] : array();
            foreach ($rows as $row) {
                if ($this->matches($row)) {
                    $out[] = (object)$row;
                }
            }
            return $out;
        }

        public function first()
        {
            $rows = $this->get();
            return $rows ? $rows[0] : null;
        }

        public function update(array $values)
        {
            $n = 0;
            if (!isset(\WHMCS\Database\Capsule::$tables[$this->table])) {
                return 0;
            }
            foreach (\WHMCS\Database\Capsule::$tables[$this->table] as $i => $row) {
                if ($this->matches($row)) {
                    foreach ($values as $k => $v) {
                        if (!array_key_exists($k, $row)) {
                            throw new \LogicException('unknown column ' . $this->table . '.' . $k);
                        }
                        \WHMCS\Database\Capsule::$tables[$this->table][$i][$k] = $v;
                    }
                    $n++;
                }
            }
            \WHMCS\Database\Capsule::$updates[] = array($this->table, $this->wheres, $values);
            return $n;
        }
    }
}

namespace WHMCS\Database {

    final class Capsule
    {
        /** @var array table => list of rows (assoc arrays) */
        public static $tables = array();
        /** @var array[] updates: table, wheres, values */
        public static $updates = array();

        public static function table($name)
        {
            return new \OpenClawHostTest\FakeQuery($name);
        }
    }
}

namespace {

    if (!defined('WHMCS')) {
        define('WHMCS', true);
    }

    final class Menu
    {
        public static $context = array();

        public static function context($name)
        {
            return isset(self::$context[$name]) ? self::$context[$name] : null;
        }
    }

    function logModuleCall($module, $action, $request, $response, $data = '', $variablesToMask = array())
    {
        \OpenClawHostTest\Whmcs::$moduleLog[] = array(
            'module' => $module,
            'action' => $action,
            'request' => $request,
            'response' => $response,
            'processed' => $data,
            'mask' => $variablesToMask,
        );
    }

    function add_hook($hookPoint, $priority, $function)
    {
        \OpenClawHostTest\Whmcs::$hooks[] = array('point' => $hookPoint, 'priority' => $priority, 'callable' => $function);
    }

    function localAPI($command, $values = array(), $adminUser = '')
    {
        \OpenClawHostTest\Whmcs::$localApi[] = array('command' => $command, 'values' => $values);
        if (isset(\OpenClawHostTest\Whmcs::$localApiResponses[$command])) {
            return \OpenClawHostTest\Whmcs::$localApiResponses[$command];
        }
        return array('result' => 'success');
    }

    function logActivity($message, $userId = 0)
    {
        \OpenClawHostTest\Whmcs::$activity[] = $message;
    }

    /* WHMCS decrypts tblservers.password; the fake "encryption" is a prefix */
    function decrypt($value)
    {
        return strpos($value, 'enc:') === 0 ? substr($value, 4) : $value;
    }
}
