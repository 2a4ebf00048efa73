// An example workbench plugin (docs/web.md): a stimulus generator, registered by the page's plugin loader in
// the same registry a Node program uses (emulator/stimulus/generators.ts, `registerStimulusGenerator`).
// Each input channel's rate is a sine around 0.3 with amplitude 0.2 and a period of 40 ms, the channels'
// phases spread evenly over a period; `slope` is its exact derivative (per ms) for the analog emulator's
// input look-ahead. The page runs it in place of the input CSV.
System.register([], function (_export) {
  var MEAN = 0.3;
  var AMPLITUDE = 0.2;
  var PERIOD_MS = 40;
  var phase = function (tMs, channel, channels) { return (2 * Math.PI * tMs) / PERIOD_MS + (2 * Math.PI * channel) / channels; };
  return {
    execute: function () {
      _export('stimulus', {
        name: 'sine',
        description: 'rates 0.3 ± 0.2, a 40 ms sine per channel, phases spread over a period',
        rate: function (tMs, channel, channels) { return MEAN + AMPLITUDE * Math.sin(phase(tMs, channel, channels)); },
        slope: function (tMs, channel, channels) { return AMPLITUDE * ((2 * Math.PI) / PERIOD_MS) * Math.cos(phase(tMs, channel, channels)); },
      });
    },
  };
});
