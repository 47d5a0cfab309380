// chat.connor.fun's React frontend (frontend/src/stores/*.js of that repository), its requests
// and frames re-created for Parley's end-to-end test. Read for meaning only; the lines cited
// are the original's. The frontend is served beside its server (its requests are relative),
// so the page has the server's origin. Everything the test calls is on `window.client`.
(() => {
  // commonStore.js lines 5-6: token and user live in localStorage.
  const common = {
    get token() {
      return window.localStorage.getItem('jwt');
    },
    get user() {
      return JSON.parse(window.localStorage.getItem('user'));
    },
    setToken(token) {
      if (token) window.localStorage.setItem('jwt', token);
      else window.localStorage.removeItem('jwt');
    },
    setUser(user) {
      if (user) window.localStorage.setItem('user', JSON.stringify(user));
      else window.localStorage.removeItem('user');
    },
  };
  // roomStore.js lines 5-7
  const room = { roomId: undefined, messages: [], members: [] };
  let socket;

  // axios rejects non-2xx answers; the stores read err.response.data.error.
  async function axios(method, url, { data, params, headers = {} } = {}) {
    const query = params ? `?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined))}` : '';
    const response = await fetch(url + query, {
      method,
      headers: { ...(data === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }), Accept: 'application/json, text/plain, */*', ...headers },
      ...(data === undefined ? {} : { body: JSON.stringify(data) }),
    });
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(`status ${response.status}`), { response: { status: response.status, data: body } });
    return { status: response.status, data: body };
  }

  // authStore.js lines 33-50 (login)
  async function login(username, password) {
    const res = await axios('POST', '/api/v1/login', { data: { username, secret: password } });
    common.setUser(res.data.data.user);
    common.setToken(res.data.data.token);
    // components/Lock/HOC/index.js line 10 runs user.roles.map(role => role.name).
    return { user: common.user, roleNames: common.user.roles.map((r) => r.name) };
  }

  // authStore.js lines 52-68 (register): the form's email is '' when left empty, then login().
  async function register(username, password, email = '') {
    const created = await axios('POST', '/api/v1/users', { data: { username, secret: password, email } });
    return { created: created.status, ...(await login(username, password)) };
  }

  // authStore.js lines 87-103 (getUser)
  async function getUser() {
    const res = await axios('GET', `/api/v1/users/${common.user.id}`, { headers: { Authorization: `Bearer ${common.token}` } });
    common.setUser(res.data.data);
    return common.user;
  }

  // roomStore.js lines 38-59 (fetchMessages), sorted by createTime (lines 61-63).
  async function fetchMessages(count) {
    const params = { room_id: room.roomId };
    if (count) params.count = count;
    if (!room.roomId) return (room.messages = []);
    const res = await axios('GET', '/api/v1/messages', { params });
    room.messages = res.data.data.sort((a, b) => a.createTime - b.createTime);
    return room.messages;
  }

  // roomStore.js lines 9-23 (joinRoom): a room not opened yet is a 404, and the store empties.
  async function loadRoom(roomName) {
    try {
      const res = await axios('GET', `/api/v1/rooms/${roomName}`);
      room.roomId = res.data.data.id;
      room.members = res.data.data.members;
      await fetchMessages(50);
    } catch {
      room.roomId = undefined;
      room.messages = [];
      room.members = [];
    }
    return { roomId: room.roomId, members: room.members, messages: room.messages };
  }

  // socketStore.js lines 13-30 (joinRoom): the token as the subprotocol; roomStore.js lines
  // 32-36 (onMessage) push the first message of each frame's array.
  function joinRoom(roomName) {
    if (socket) leaveRoom();
    const loaded = loadRoom(roomName);
    socket = new WebSocket(`${window.location.protocol === 'https:' ? 'wss://' : 'ws://'}${window.location.host}/api/v1/rooms/${roomName}/ws`, common.token);
    socket.onmessage = (evt) => room.messages.push(JSON.parse(evt.data)[0]);
    return new Promise((resolve, reject) => {
      socket.onopen = async () => resolve({ protocol: socket.protocol, loaded: await loaded });
      socket.onerror = () => reject(new Error('room socket refused'));
    });
  }

  // socketStore.js lines 54-60 (sendMessage)
  const sendMessage = (message) => message !== '' && socket.send(JSON.stringify({ text: message }));

  // socketStore.js lines 40-48 (leaveRoom)
  function leaveRoom() {
    socket?.close();
    socket = undefined;
    room.roomId = undefined;
    room.messages = [];
    room.members = [];
  }

  // authStore.js lines 105-109 (logout): the client forgets token and user.
  function logout() {
    leaveRoom();
    common.setToken(undefined);
    common.setUser(undefined);
    return { token: common.token, user: common.user };
  }

  const has = (text) => room.messages.some((m) => m.text === text);

  window.client = { register, login, getUser, joinRoom, loadRoom, sendMessage, leaveRoom, logout, has, room };
})();
