// Start s3rver for a test: node t/s3/run.js DIR PORT BUCKET
// (the package ships no command of its own).  Prints "ready" when it
// listens on 127.0.0.1:PORT; accepts the account S3RVER / S3RVER.
'use strict';
const S3rver = require('@20minutes/s3rver');
const [dir, port, bucket] = process.argv.slice(2);
new S3rver({ address: '127.0.0.1', port: Number(port), directory: dir,
  silent: true, configureBuckets: [{ name: bucket }] })
  .run().then(() => console.log('ready'), (e) => { console.error(e); process.exit(1); });
