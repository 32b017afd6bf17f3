<?php
/**
 * What WHMCS needs of the files themselves: every PHP file lints; module
 * files start with "<?php" (no BOM, nothing before it) and have no closing
 * tag or inline HTML, so loading them outputs nothing before headers;
 * loading the module and its hooks in a fresh PHP defines no global
 * variables or constants and only openclawhost_* functions and classes in
 * the module's namespace; a file opened directly refuses to run; templates
 * escape everything they print.
 */

use PHPUnit\Framework\TestCase;

final class HygieneTest extends TestCase
{
    private static function root()
    {
        return dirname(__DIR__, 2);
    }

    private static function phpFiles($under)
    {
        $out = array();
        $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($under, FilesystemIterator::SKIP_DOTS));
        foreach ($it as $f) {
            if ($f->isFile() && substr($f->getFilename(), -4) === '.php') {
                $out[] = $f->getPathname();
            }
        }
        sort($out);
        return $out;
    }

    public function allPhpFiles(): array
    {
        $out = array();
        foreach (self::phpFiles(self::root()) as $f) {
            $out[substr($f, strlen(self::root()) + 1)] = array($f);
        }
        return $out;
    }

    public function modulePhpFiles(): array
    {
        $out = array();
        foreach (self::phpFiles(self::root() . '/modules') as $f) {
            $out[substr($f, strlen(self::root()) + 1)] = array($f);
        }
        return $out;
    }

    private static function runCommand(array $cmd, &$output)
    {
        $p = proc_open($cmd, array(0 => array('file', '/dev/null', 'r'), 1 => array('pipe', 'w'), 2 => array('pipe', 'w')), $pipes);
        $output = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return proc_close($p);
    }

    /**
     * @dataProvider allPhpFiles
     */
    public function testLints($file)
    {
        $rc = self::runCommand(array(PHP_BINARY, '-l', $file), $out);
        $this->assertSame(0, $rc, $out);
        $this->assertStringContainsString('No syntax errors detected', $out);
    }

    /**
     * @dataProvider modulePhpFiles
     */
    public function testNoOutputOutsidePhp($file)
    {
        $src = file_get_contents($file);
        $this->assertStringStartsWith("<?php\n", $src, 'no BOM or text before <?php');
        $tokens = array_values(array_filter(token_get_all($src), function ($t) {
            return !is_array($t) || !in_array($t[0], array(T_WHITESPACE, T_COMMENT, T_DOC_COMMENT), true);
        }));
        $printers = array('printf', 'vprintf', 'var_dump', 'var_export', 'print_r', 'header', 'setcookie', 'flush', 'readfile');
        $bad = array();
        foreach ($tokens as $i => $tok) {
            if (!is_array($tok)) {
                continue;
            }
            if (in_array($tok[0], array(T_INLINE_HTML, T_CLOSE_TAG, T_ECHO, T_PRINT), true)) {
                $bad[] = token_name($tok[0]) . ' at line ' . $tok[2];
            }
            if ($tok[0] === T_STRING && in_array(strtolower($tok[1]), $printers, true)
                && isset($tokens[$i + 1]) && $tokens[$i + 1] === '(') {
                $prev = $tokens[$i - 1];
                if (!is_array($prev) || !in_array($prev[0], array(T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION), true)) {
                    $bad[] = $tok[1] . '() at line ' . $tok[2];
                }
            }
        }
        $this->assertSame(array(), $bad, 'nothing outputs or sends headers');
    }

    /**
     * @dataProvider modulePhpFiles
     */
    public function testRefusesDirectAccess($file)
    {
        $rc = self::runCommand(array(PHP_BINARY, $file), $out);
        $this->assertSame('This file cannot be accessed directly', $out);
    }

    public function testLoadingLeaksNothing()
    {
        $dir = self::root() . '/modules/servers/openclawhost';
        $script = tempnam(sys_get_temp_dir(), 'och-load-');
        file_put_contents($script, '<?php
error_reporting(E_ALL);
set_error_handler(function ($s, $m) { fwrite(STDERR, "PHP error: $m\n"); exit(3); });
define("WHMCS", true);
function add_hook($p, $n, $f) {}
$GLOBALS["__before"] = array(
    "vars" => array_keys($GLOBALS),
    "fns" => get_defined_functions()["user"],
    "classes" => get_declared_classes(),
    "consts" => array_keys(get_defined_constants(true)["user"]),
);
ob_start();
require ' . var_export($dir . '/openclawhost.php', true) . ';
require ' . var_export($dir . '/hooks.php', true) . ';
$GLOBALS["__out"] = ob_get_clean();
$b = $GLOBALS["__before"];
echo json_encode(array(
    "output" => $GLOBALS["__out"],
    "vars" => array_values(array_diff(array_keys($GLOBALS), $b["vars"], array("__before", "__out", "b"))),
    "fns" => array_values(array_diff(get_defined_functions()["user"], $b["fns"])),
    "classes" => array_values(array_diff(get_declared_classes(), $b["classes"])),
    "consts" => array_values(array_diff(array_keys(get_defined_constants(true)["user"]), $b["consts"])),
    "headers" => headers_list(),
));
');
        $rc = self::runCommand(array(PHP_BINARY, $script), $out);
        unlink($script);
        $this->assertSame(0, $rc, $out);
        $r = json_decode($out, true);
        $this->assertIsArray($r, $out);
        $this->assertSame('', $r['output'], 'no output');
        $this->assertSame(array(), $r['headers'], 'no headers');
        $this->assertSame(array(), $r['vars'], 'no global variables');
        $this->assertSame(array(), $r['consts'], 'no constants');
        $this->assertGreaterThan(20, count($r['fns']));
        foreach ($r['fns'] as $fn) {
            $this->assertStringStartsWith('openclawhost_', $fn);
        }
        $this->assertNotEmpty($r['classes']);
        foreach ($r['classes'] as $class) {
            $this->assertStringStartsWith('WHMCS\\Module\\Server\\OpenClawHost\\', $class);
        }
    }

    public function testTemplatesEscapeEverythingTheyPrint()
    {
        $files = glob(self::root() . '/modules/servers/openclawhost/templates/*.tpl');
        $this->assertCount(2, $files);
        $printed = 0;
        foreach ($files as $file) {
            $tpl = preg_replace('/\{\*.*?\*\}/s', '', file_get_contents($file));
            preg_match_all('/\{\s*(\$[^}]*)\}/', $tpl, $m);
            foreach ($m[1] as $expr) {
                $printed++;
                $this->assertMatchesRegularExpression("/\\|escape:'html'\\s*$/", $expr, basename($file) . ': {' . $expr . '}');
            }
            $this->assertSame(substr_count($tpl, '{if'), substr_count($tpl, '{/if}'), basename($file) . ' if/endif');
            $this->assertSame(substr_count($tpl, '{foreach'), substr_count($tpl, '{/foreach}'), basename($file) . ' foreach');
        }
        $this->assertGreaterThan(10, $printed);
    }

    public function testWhmcsJsonIsValid()
    {
        $j = json_decode(file_get_contents(self::root() . '/modules/servers/openclawhost/whmcs.json'), true);
        $this->assertSame('whmcs-servers', $j['type']);
        $this->assertSame('openclawhost', $j['name']);
    }
}
