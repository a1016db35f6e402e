/* The door screen's camera and keyboard: a QR read by the camera is submitted like a typed code.
 * The browser's BarcodeDetector reads it where there is one; elsewhere the vendored decoder
 * (web/static/web/vendor/qr-0.7.0/, imported only then). No camera: the code box and search. */
(function () {
  "use strict";
  var REPEAT_MS = 4000; // the same code seen again within this time is the same scan
  var FRAME_MS = 200;
  var MAX_SIDE = 800; // frames are scaled down to this before decoding

  function setUp() {
    var form = document.getElementById("door-scan-form");
    var root = document.getElementById("door-camera");
    if (!form || !root) return;
    var input = form.querySelector("input[name=code]");
    var startButton = root.querySelector("[data-camera-start]");
    var stopButton = root.querySelector("[data-camera-stop]");
    var video = root.querySelector("video");
    var note = root.querySelector("[data-camera-note]");
    var stream = null;
    var detect = null;
    var lastText = "";
    var lastAt = 0;
    var busy = false;

    // After each scan the code box is emptied and keeps the focus, ready for the next one.
    form.addEventListener("htmx:afterRequest", function () {
      form.reset();
      if (!stream) input.focus();
    });
    document.body.addEventListener("htmx:afterSwap", expireUndo);
    expireUndo();

    var media = navigator.mediaDevices;
    if (!window.isSecureContext || !media || !media.getUserMedia) {
      note.textContent = root.dataset.unavailable;
      return;
    }
    startButton.hidden = false;

    function nativeDetector() {
      if (!("BarcodeDetector" in window)) return Promise.resolve(null);
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) return null;
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (source) {
          return detector.detect(source).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }).catch(function () { return null; });
    }

    function vendoredDetector() {
      return import(root.dataset.decoder).then(function (module) {
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        return function (source) {
          var width = source.videoWidth;
          var height = source.videoHeight;
          if (!width || !height) return Promise.resolve(null);
          var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(source, 0, 0, canvas.width, canvas.height);
          try {
            return Promise.resolve(module.default(context.getImageData(0, 0, canvas.width, canvas.height)));
          } catch (error) {
            return Promise.resolve(null); // no readable code in this frame
          }
        };
      });
    }

    function tick() {
      if (!stream) return;
      if (busy || video.readyState < 2) { window.setTimeout(tick, FRAME_MS); return; }
      busy = true;
      detect(video).then(function (text) {
        var now = Date.now();
        if (text && (text !== lastText || now - lastAt > REPEAT_MS)) {
          lastText = text;
          lastAt = now;
          input.value = text;
          form.requestSubmit();
        } else if (text) {
          lastAt = now;
        }
      }).catch(function () {}).then(function () {
        busy = false;
        window.setTimeout(tick, FRAME_MS);
      });
    }

    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
      note.textContent = root.dataset.stopped;
    }

    startButton.addEventListener("click", function () {
      startButton.disabled = true;
      nativeDetector().then(function (native) {
        return native || vendoredDetector();
      }).then(function (detector) {
        detect = detector;
        return media.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      }).then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = stream;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        note.textContent = root.dataset.scanning;
        return video.play();
      }).then(tick).catch(function () {
        stop();
        note.textContent = root.dataset.denied;
      }).then(function () {
        startButton.disabled = false;
      });
    });
    stopButton.addEventListener("click", function () { stop(); startButton.focus(); });
  }

  // The undo button goes away when its minute is over (the server refuses it after that too).
  function expireUndo() {
    document.querySelectorAll("form[data-undo-seconds]:not([data-timed])").forEach(function (undo) {
      undo.dataset.timed = "1";
      var left = parseInt(undo.dataset.undoSeconds, 10) * 1000;
      window.setTimeout(function () { undo.remove(); }, Math.max(0, left));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
