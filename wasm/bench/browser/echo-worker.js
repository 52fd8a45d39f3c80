// Answers every message with itself: api-bench.js times a bare postMessage
// round trip with it, the floor under any call through the database worker.
onmessage = (event) => postMessage(event.data);
