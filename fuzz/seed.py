#!/usr/bin/env python3
"""Write the seed corpora fuzz/corpus/<harness>/ (run from the top of the
tree).  Seeds are real shapes: the requests our clients send, the answers
the providers give (reference contracts), the shipped templates and config
example, a node_exporter exposition.  Inputs libFuzzer later finds are kept
beside them; regression inputs for fixed bugs go to fuzz/regress/."""
import base64, glob, hashlib, hmac, json, os

C = 'fuzz/corpus'


def w(h, name, data):
    os.makedirs(f'{C}/{h}', exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(f'{C}/{h}/{name}', 'wb') as f:
        f.write(data)


def st(code):
    """The two status bytes the provider harnesses read (fuzz/prov.h)."""
    v = code - 100
    return bytes([v >> 8, v & 255])


# json-body
w('json-body', 'order', '{"whmcs_service_id":7,"whmcs_client_id":"12","email":"ada@example.com","name":"Ada Lovelace","plan":"starter","region":"eu-falkenstein"}')
w('json-body', 'channel', '{"enabled":true,"dm_policy":"allowlist","allow_from":["tg:42"],"secrets":{"bot_token":"7200001:AAe2eTelegramTokenValue_x"}}')
w('json-body', 'report', '{"agent_version":"1","openclaw_version":"2026.9.6","time":1767225600,"config":{"applied_revision":3,"error":""},"health":{"ok":true},"channels":[{"kind":"telegram","status":"connected"}],"pairing_requests":[],"usage":{"daily":[{"date":"2026-12-01","input":120,"output":80,"totalCost":0.0123}]}}\n')
w('json-body', 'trailing', '{"a":1} x')
w('json-body', 'nested', '{"a":{"b":[1,2,{"c":"d\\u0000e"}]},"n":-9223372036854775808,"f":1e999,"s":"0b8f6c1e-1f3a-4c8e-9d3b-2a1f0e9c7b6d"}')
w('json-body', 'notobject', '[1,2,3]')
w('json-body', 'url', '{"url":"https://a.example.com:8443/x?y=1","hostname":"a-b.och.test","hex":"00ff00ff00ff00ff00ff"}')

# query
for i, q in enumerate([
        'whmcs_service_id=7', 'wait=25&config_revision=3',
        'from=2026-12-01T00%3A00%3A00Z&to=2026-12-02T00:00:00Z&limit=50',
        '/api/v1/instances/0b8f6c1e-1f3a-4c8e-9d3b-2a1f0e9c7b6d/metrics',
        '/api/v1/instances/a%2Fb/channels/telegram', 'a=%41%zz&b=+c+&&=x&q',
        '/api/v1/agent/commands/%00']):
    w('query', f'q{i}', q)

# session: tokens signed with fuzz/session.c's secret
SECRET = b'fuzz-jwt-secret-0123456789abcdef0123456789abcdef'


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def jwt(h, p, secret=SECRET):
    s = b64(json.dumps(h, separators=(',', ':')).encode()) + '.' + \
        b64(json.dumps(p, separators=(',', ':')).encode())
    return s + '.' + b64(hmac.new(secret, s.encode(), hashlib.sha256).digest())


good = jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "42", "sid": "7f3e2b1a9c8d", "iat": 1767225600, "exp": 4102444800})
w('session', 'cookie-good', 'theme=dark; __Host-och_session=' + good + '; lang=en')
w('session', 'bare-good', good)
w('session', 'expired', jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "42", "sid": "s", "iat": 1, "exp": 2}))
w('session', 'alg-none', b64(b'{"alg":"none"}') + '.' + b64(b'{"sub":"42","sid":"s","exp":4102444800}') + '.')
w('session', 'hs512', jwt({"alg": "HS512", "typ": "JWT"}, {"sub": "42", "sid": "s", "exp": 4102444800}))
w('session', 'no-sid', jwt({"alg": "HS256"}, {"sub": "42", "exp": 4102444800}))
w('session', 'exp-string', jwt({"alg": "HS256"}, {"sub": "42", "sid": "s", "exp": "4102444800"}))
w('session', 'quoted', '__Host-och_session="' + good + '"; __Host-och_session=second')

# hmac: key, timestamp, nonce, signature, method, target, body
HS = b'fuzz-hmac-secret-0123456789abcdef'
body = b'{"whmcs_service_id":7}'
canon = 'POST\n/api/v1/instances\n1767225600\n' + 'ab' * 16 + '\n' + hashlib.sha256(body).hexdigest()
sig = hmac.new(HS, canon.encode(), hashlib.sha256).hexdigest()
w('hmac', 'good', ('ak_0123456789abcdef\n1767225600\n' + 'ab' * 16 + '\n' + sig + '\nPOST\n/api/v1/instances\n').encode() + body)
w('hmac', 'get', 'ak_0123456789abcdef\n1767225599\n' + 'cd' * 32 + '\n' + '0' * 64 + '\nGET\n/api/v1/instances?whmcs_service_id=7\n')
w('hmac', 'bad', 'AK_x\n-1\nzz\n' + 'G' * 64 + '\n\n\n')

# prom: the head of a real node_exporter answer, and the corner cases
txt = open('t/vectors/node_exporter-e2e-output.txt').read()[:8000]
w('prom', 'node_exporter-head', txt[:txt.rfind('\n') + 1])
w('prom', 'small', '''# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.25
node_cpu_seconds_total{cpu="0",mode="idle"} 1234.5
node_cpu_seconds_total{cpu="0",mode="user"} 12.5 1767225600000
node_memory_MemTotal_bytes 2.08e+09
node_memory_MemAvailable_bytes 1.5e9
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.2e+10
node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 4e10
node_network_receive_bytes_total{device="eth0"} 1e6
node_network_transmit_bytes_total{device="eth0"} 2e6
node_boot_time_seconds 1.7672e+09
weird{a="x\\"y\\\\z\\n",b=""} NaN
inf_metric +Inf
''')

# tpl: a mode byte (0 text, 1 HTML, 2 YAML), the template, NUL, a value
for f in sorted(glob.glob('cloud-init/*.tmpl')):
    w('tpl', 'yaml-' + os.path.basename(f), b'\x02' + open(f, 'rb').read() + b'\0value "with" \\ \n and \xe2\x82\xac')
for f in sorted(glob.glob('templates/email/*.tmpl')):
    mode = b'\x01' if '.html.' in f else b'\x00'
    w('tpl', os.path.basename(f), mode + open(f, 'rb').read() + b'\0<script>&\x01')
w('tpl', 'sections', b'\x00{{#flag}}\nyes {{v}}\n{{/flag}}\n{{^empty}}none{{/empty}}{{ v }}\0x')

# cfg
w('cfg', 'example', open('deploy/och.conf.example', 'rb').read())
w('cfg', 'quoted', 'DATABASE_URL="postgresql:///och?host=/tmp"\nAPI_URL=\'https://api.och.test\'\n# c\n\n')
w('cfg', 'bad', 'NOPE=1\n')

# hetzner: status bytes + body
w('hetzner', 'server', st(200) + b'{"server":{"id":42,"name":"och-abc","status":"running","public_net":{"ipv4":{"ip":"127.0.0.5"},"ipv6":{"ip":"2001:db8::/64"}},"server_type":{"name":"cx23"},"datacenter":{"location":{"name":"fsn1"}},"labels":{"och-instance":"0b8f6c1e-1f3a-4c8e-9d3b-2a1f0e9c7b6d"},"locked":false},"action":{"id":7,"command":"create_server","status":"running","progress":0,"error":null}}')
w('hetzner', 'list', st(200) + b'{"servers":[{"id":1,"name":"a","status":"off","public_net":{"ipv4":null,"ipv6":null},"server_type":{"name":"cx23"},"datacenter":{"location":{"name":"nbg1"}},"labels":{},"locked":true}],"meta":{"pagination":{"page":1,"per_page":50,"next_page":null,"last_page":1,"total_entries":1}}}')
w('hetzner', 'actions', st(200) + b'{"actions":[{"id":9,"command":"poweron","status":"error","progress":100,"error":{"code":"action_failed","message":"Action failed"}}]}')
w('hetzner', 'images', st(200) + b'{"images":[{"id":5,"type":"snapshot","status":"available","description":"och base","created_from":{"id":42},"labels":{"och-instance":"x"}}]}')
w('hetzner', 'error', st(429) + b'{"error":{"code":"rate_limit_exceeded","message":"limit of 3600 requests per hour reached","details":{}}}')
w('hetzner', 'error-uniq', st(409) + b'{"error":{"code":"uniqueness_error","message":"server name is already used","details":{"fields":[{"name":"name"}]}}}')

# cloudflare
w('cloudflare', 'record', st(200) + b'{"success":true,"errors":[],"messages":[],"result":{"id":"372e67954025e0ba6aaa6d586b9e0b59","type":"A","name":"abc.och.test","content":"127.0.0.5","proxied":false,"ttl":1}}')
w('cloudflare', 'list', st(200) + b'{"success":true,"errors":[],"result":[{"id":"a1","type":"AAAA","name":"abc.och.test","content":"2001:db8::1","proxied":true,"ttl":300}],"result_info":{"page":1,"per_page":100,"count":1,"total_count":1}}')
w('cloudflare', 'dup', st(400) + b'{"success":false,"errors":[{"code":81057,"message":"Record already exists."}],"messages":[],"result":null}')
w('cloudflare', 'rate', st(429) + b'{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}]}')

# resend
w('resend', 'ok', st(200) + b'{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}')
w('resend', 'err', st(422) + b'{"statusCode":422,"name":"validation_error","message":"Invalid `to` field."}')
w('resend', 'rate', st(429) + b'{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests."}')

# whmcs
w('whmcs', 'ok', st(200) + b'{"result":"success","clientid":"12","serviceid":"7","totalresults":1,"products":{"product":[{"id":"7","clientid":"12","pid":3,"status":"Active","domain":"abc.och.test","dedicatedip":"127.0.0.5","name":"Starter"}]}}')
w('whmcs', 'empty', st(200) + b'{"result":"success","totalresults":0,"products":""}')
w('whmcs', 'err', st(200) + b'{"result":"error","message":"Authentication Failed"}')
w('whmcs', 'html', st(500) + b'<html><body>Fatal error</body></html>')

# headers: response header blocks, one line each
w('headers', 'hetzner', 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRateLimit-Limit: 3600\r\nRateLimit-Remaining: 3599\r\nRateLimit-Reset: 1767229200\r\nX-Correlation-Id: 4f7e2b1a\r\n\r\n')
w('headers', 'cf', 'HTTP/2 429\r\ncf-ray: 8a1b2c3d4e5f-FRA\r\nRetry-After: 30\r\ncontent-type: application/json; charset=utf-8\r\n')
w('headers', 'resend', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nratelimit-limit: 2\r\nratelimit-remaining: 0\r\nratelimit-reset: 1\r\nretry-after: Thu, 01 Jan 2026 00:00:30 GMT\r\nx-request-id: abc\r\n')
w('headers', 'id', '9007199254740991')
