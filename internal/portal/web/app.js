// pi-netconfig setup page: progressive enhancement of the plain form. Without
// this script the page still works (form post, server-rendered result page).
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  var form = $('f'), pw = $('password'), show = $('show'), notice = $('notice'),
    connect = $('connect'), stateEl = $('state'), rescanBox = $('rescan-box');
  var lastStarted = form.dataset.started || '', scannedAt = form.dataset.scanned || '',
    hotspot = form.dataset.hotspot || '', sent = false, polling = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function box(kind, title, lines) {
    var d = el('div', 'box ' + kind);
    d.id = 'attempt';
    d.tabIndex = -1;
    if (kind === 'err') d.setAttribute('role', 'alert');
    d.appendChild(el('h2', null, title));
    lines.forEach(function (l, i) {
      if (!l) return;
      var p = el('p');
      if (i === 0 && kind === 'err') p.appendChild(el('strong', null, l)); else p.textContent = l;
      d.appendChild(p);
    });
    notice.textContent = '';
    notice.appendChild(d);
    return d;
  }
  function api(method, path, body) {
    var o = { method: method, headers: { Accept: 'application/json' }, cache: 'no-store' };
    if (body) { o.headers['Content-Type'] = 'application/json'; o.body = JSON.stringify(body); }
    return fetch(path, o).then(function (r) {
      return r.json().then(function (j) { j._status = r.status; return j; });
    });
  }
  function busy(on) {
    connect.disabled = on;
    connect.textContent = on ? 'Sending…' : 'Connect';
  }
  function showForm(on) { form.hidden = !on; rescanBox.hidden = !on; }
  function hs() { return hotspot ? 'the hotspot ' + hotspot : 'the setup hotspot'; }

  show.hidden = false;
  show.addEventListener('click', function () {
    var on = pw.type === 'password';
    pw.type = on ? 'text' : 'password';
    show.textContent = on ? 'Hide' : 'Show';
    show.setAttribute('aria-pressed', on ? 'true' : 'false');
    pw.focus();
  });

  // Enter on a network picks it and moves on, instead of submitting.
  $('list').addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || e.target.name !== 'ssid') return;
    e.preventDefault();
    e.target.checked = true;
    (e.target.id === 'other' ? $('hidden_ssid') : pw).focus();
  });

  function setState(st) {
    hotspot = st.hotspot_ssid || hotspot;
    stateEl.dataset.state = st.state;
    stateEl.textContent = st.state === 'CLIENT' ? 'Connected to ' + (st.ssid || 'a network') + '.' :
      st.state === 'AP_MODE' ? 'Not connected. The setup ' + hs().replace('the ', '') + ' is on: pick your WiFi below.' :
        'Checking the connection…';
  }

  function done(a) {
    lastStarted = a.started;
    if (a.success) {
      showForm(false);
      box('ok', 'Connected to “' + a.ssid + '”', ['The device is online. Its setup hotspot closes now: reconnect your phone to your usual WiFi.']).focus();
      return;
    }
    showForm(true);
    busy(false);
    reloadList();
    var msg = a.message || 'The connection failed.';
    box('err', 'Could not connect to “' + a.ssid + '”', [msg.charAt(0).toUpperCase() + msg.slice(1), a.hint]).focus();
  }

  function poll() {
    if (polling) return;
    polling = true;
    var lost = 0;
    function later(ms) { setTimeout(tick, ms || 1000); }
    function tick() {
      api('GET', '/api/status').then(function (st) {
        lost = 0;
        setState(st);
        var a = st.last_attempt;
        if (!a || (sent && a.started === lastStarted) || a.running) return later();
        polling = false;
        sent = false;
        done(a);
      }, function () {
        if (++lost === 2) {
          box('info', 'Lost contact with the device', ['That is expected while it tries your network: your phone has left ' + hs() + '.',
            'If the connection works, you are done. If it fails, ' + hs() + ' comes back within a minute: join it again and this page says why.']);
        }
        later(2000);
      });
    }
    tick();
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var sel = form.querySelector('input[name=ssid]:checked');
    var hidden = !sel || sel.id === 'other';
    var ssid = hidden ? $('hidden_ssid').value : sel.value;
    if (!ssid) {
      box('err', 'Not sent', ['Choose a network from the list, or choose “Other network” and type its name.']).focus();
      return;
    }
    var body = { ssid: ssid, password: pw.value };
    if (hidden) body.hidden = true;
    busy(true);
    api('POST', '/api/configure', body).then(function (j) {
      if (!j.success) {
        busy(false);
        box('err', 'Not sent', [j.error || 'The device refused the request.']).focus();
        return;
      }
      pw.value = '';
      sent = true;
      showForm(false);
      box('info', 'Connecting to “' + ssid + '”…', [j.message]).focus();
      poll();
    }, function () {
      busy(false);
      box('err', 'Not sent', ['The device did not answer. Check that your phone is still joined to ' + hs() + ', then try again.']).focus();
    });
  });

  function barsOf(s) {
    return s >= 75 ? [4, 'excellent'] : s >= 50 ? [3, 'good'] : s >= 25 ? [2, 'fair'] : [1, 'weak'];
  }
  function age(sec) {
    if (sec < 90) return sec === 1 ? '1 second' : sec + ' seconds';
    var m = Math.round(sec / 60);
    if (m < 90) return m === 1 ? '1 minute' : m + ' minutes';
    var h = Math.round(sec / 3600);
    return h === 1 ? '1 hour' : h + ' hours';
  }
  function note(j) {
    var n = '';
    if (j.cached) n = 'This list is from ' + (j.age_seconds != null ? age(j.age_seconds) + ' ago, from ' : '') + 'before the hotspot started: the device cannot look for networks while its hotspot is on.';
    else if (j.age_seconds != null) n = 'Networks found ' + age(j.age_seconds) + ' ago.';
    if (j.note && !(j.cached && j.age_seconds != null)) n += (n ? ' ' : '') + j.note;
    return n;
  }
  function render(j) {
    var list = $('list'), other = $('other').parentNode,
      sel = form.querySelector('input[name=ssid]:checked'), chosen = sel && sel.id !== 'other' ? sel.value : null;
    while (list.firstChild !== other) list.removeChild(list.firstChild);
    j.networks.forEach(function (n, i) {
      var li = el('li'), r = el('input'), lab = el('label', 'net'), m = el('span', 'meta'), b = barsOf(n.signal),
        bs = el('span', 'bars b' + b[0]);
      r.type = 'radio'; r.name = 'ssid'; r.id = 'n' + i; r.value = n.ssid; r.checked = n.ssid === chosen;
      lab.htmlFor = r.id;
      lab.appendChild(el('span', 'name', n.ssid));
      bs.setAttribute('aria-hidden', 'true');
      for (var k = 0; k < 4; k++) bs.appendChild(el('i'));
      m.appendChild(bs);
      m.appendChild(el('span', 'vh', 'signal ' + b[1] + ' (' + n.signal + '%)'));
      if (n.security && n.security !== 'Open') {
        var l = el('span', 'lock');
        l.setAttribute('aria-hidden', 'true');
        m.appendChild(l);
        m.appendChild(el('span', 'sec', n.security));
      } else m.appendChild(el('span', 'sec open', 'Open'));
      if (n.band) m.appendChild(el('span', 'band', n.band));
      if (n.saved) m.appendChild(el('span', 'saved', 'saved'));
      if (n.security === 'Enterprise') { r.disabled = true; m.appendChild(el('span', 'unsup', 'not supported')); }
      lab.appendChild(m);
      li.appendChild(r);
      li.appendChild(lab);
      list.insertBefore(li, other);
    });
    if (!j.networks.length) list.insertBefore(el('li', 'empty', 'No networks in the list. Use “Other network” to type a name, or scan again below.'), other);
    $('scan-note').textContent = note(j);
    var se = $('scan-error');
    if (se) se.remove();
  }
  function reloadList(fresh) {
    return api('GET', '/api/scan').then(function (j) {
      if (j.error) { $('scan-note').textContent = j.error; return; }
      render(j);
      if (fresh) box('ok', 'List updated', ['Found ' + j.networks.length + (j.networks.length === 1 ? ' network.' : ' networks.')]);
    }, function () { $('scan-note').textContent = 'The device did not answer; check that your phone is joined to ' + hs() + '.'; });
  }
  $('reload').addEventListener('click', function (e) { e.preventDefault(); reloadList(); });

  $('rescan-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var tries = 0;
    function tick() {
      api('GET', '/api/status').then(function (st) {
        if (st.scanned_at && st.scanned_at !== scannedAt) { scannedAt = st.scanned_at; return reloadList(true); }
        if (++tries < 30) setTimeout(tick, 1000); else reloadList();
      }, function () { if (++tries < 60) setTimeout(tick, 2000); });
    }
    api('POST', '/api/scan', { force: true }).then(function (j) {
      if (j._status !== 202) { box('err', 'Could not scan', [j.error]); return; }
      box('info', 'Scanning for networks', [j.message]);
      setTimeout(tick, 1000);
    }, function () { box('err', 'Could not scan', ['The device did not answer. Try again in a moment.']); });
  });

  if (form.dataset.running === 'true') poll();
})();
