// maratal/ChatServer's web app (Public/app/js of that repository), its requests and frames
// re-created for Parley's end-to-end test. Read for meaning only; the lines cited are the
// original's. Everything the test calls is on `window.client`.
(() => {
  let currentUser = null; // main.js line 2: {info, session}
  const frames = [];
  let websocket = null;

  // api.js lines 3-8
  const getAccessToken = () => currentUser?.session?.accessToken ?? null;

  // api.js lines 20-37: JSON when the answer says so, else the text.
  async function handleResponse(response) {
    if (!response.ok) {
      const errorText = await response.text();
      const error = new Error(`API Error (${response.status}): ${errorText}`);
      error.status = response.status;
      throw error;
    }
    const contentType = response.headers.get('content-type');
    if (contentType?.includes('application/json')) return await response.json();
    return await response.text();
  }

  // register.js lines 23-61 (getDeviceInfo) with webpush.js lines 116-135: no push
  // subscription in a headless browser, so `token` stays null.
  const getDeviceInfo = () => ({ id: crypto.randomUUID(), name: 'Chrome Browser', model: 'Linux PC', token: null, transport: 'web' });

  const authorized = (extra = {}) => ({ Authorization: `Bearer ${getAccessToken()}`, ...extra });

  // register.js lines 10-20 (performRegistration) over api.js lines 39-53 (apiRegisterUser).
  async function register(name, username, password) {
    const response = await fetch('/api/users', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, username, password, deviceInfo: getDeviceInfo() }),
    });
    const data = await handleResponse(response);
    currentUser = { info: data.info, session: data.deviceSessions[0] };
    localStorage.setItem('currentUser', JSON.stringify(currentUser));
    return currentUser;
  }

  // login.js lines 10-20 over api.js lines 55-67 (apiLoginUser): Basic, the DeviceInfo as the body.
  async function login(username, password) {
    const response = await fetch('/api/users/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`${username}:${password}`)}` },
      body: JSON.stringify(getDeviceInfo()),
    });
    const data = await handleResponse(response);
    currentUser = { info: data.info, session: data.deviceSessions[0] };
    localStorage.setItem('currentUser', JSON.stringify(currentUser));
    return currentUser;
  }

  // api.js lines 144-163 (apiGetAllUsers), as main.js line 788 pages through them.
  async function allUsers(count = 20) {
    const params = new URLSearchParams({ count: count.toString() });
    return handleResponse(await fetch(`/api/users/all?${params}`, { headers: authorized() }));
  }

  // api.js lines 463-488 (apiCreateChat)
  async function createChat(isPersonal, participants) {
    const body = { isPersonal, participants };
    return handleResponse(
      await fetch('/api/chats', { method: 'POST', headers: authorized({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) }),
    );
  }

  // api.js lines 289-304 (apiGetChats): note the trailing slash.
  const chats = async () => handleResponse(await fetch('/api/chats/?full=1', { headers: authorized() }));

  // api.js lines 542-560 (apiGetMessages)
  const messages = async (chatId, count = 50) => handleResponse(await fetch(`/api/chats/${chatId}/messages?count=${count}`, { headers: authorized() }));

  // api.js lines 562-595 (apiSendMessage)
  async function sendMessage(chatId, text) {
    const requestBody = { localId: crypto.randomUUID(), text: text || null };
    const response = await fetch(`/api/chats/${chatId}/messages`, {
      method: 'POST',
      headers: authorized({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(requestBody),
    });
    return handleResponse(response);
  }

  // ws.js lines 3-56: /ws/<DeviceSession.id>?token=…, every frame JSON-parsed.
  function initializeWebSocket() {
    const deviceSessionId = currentUser.session.id; // main.js lines 670-672
    const wsUrl = `ws://${window.location.host}/ws/${deviceSessionId}?token=${encodeURIComponent(getAccessToken())}`;
    return new Promise((resolve, reject) => {
      websocket = new WebSocket(wsUrl);
      websocket.onopen = () => resolve(true);
      websocket.onerror = () => reject(new Error(`socket refused: ${wsUrl}`));
      websocket.onmessage = (event) => frames.push(JSON.parse(event.data));
    });
  }

  // ws.js lines 82-95: a 'message' event's payload is the MessageInfo; its chatId picks the chat.
  const received = (chatId, text) => frames.some((f) => f.event === 'message' && f.payload?.chatId === chatId && f.payload.text === text);

  // user-profile.js lines 598-621: upload (api.js lines 646-692, XHR, the answer's text is the
  // stored file name), then apiAddUserPhoto (api.js lines 180-201) answers the updated UserInfo.
  async function uploadAvatar(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const file = new File([bytes], 'me.png', { type: 'image/png' });
    const fileId = crypto.randomUUID();
    const fileExtension = file.name.split('.').pop().toLowerCase() || 'jpg';
    const uploadedFileName = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.addEventListener('load', () =>
        xhr.status >= 200 && xhr.status < 300 ? resolve(xhr.responseText) : reject(new Error(`Upload failed with status ${xhr.status}`)),
      );
      xhr.addEventListener('error', () => reject(new Error('Upload failed')));
      xhr.open('POST', '/api/uploads');
      xhr.setRequestHeader('Authorization', `Bearer ${getAccessToken()}`);
      xhr.setRequestHeader('File-Name', fileId);
      xhr.setRequestHeader('Content-Type', file.type);
      xhr.send(file);
    });
    const uploadedFileId = uploadedFileName.split('.').slice(0, -1).join('.');
    const response = await fetch('/api/users/me/photos', {
      method: 'POST',
      headers: authorized({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ photo: { id: uploadedFileId, fileType: fileExtension, fileSize: file.size } }),
    });
    const updatedUserInfo = await handleResponse(response);
    currentUser.info = updatedUserInfo;
    // constants.js line 4: UPLOADS_URL = '/uploads'; the app shows <UPLOADS_URL>/<id>.<fileType>.
    const photo = updatedUserInfo.photos[0];
    const img = document.body.appendChild(document.createElement('img'));
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error('avatar did not load'));
      img.src = `/uploads/${photo.id}.${photo.fileType}`;
    });
    return { uploadedFileName, updatedUserInfo, shown: img.naturalWidth };
  }

  // main.js lines 73-83 (logout) over api.js lines 69-82 (apiLogoutUser): the app then forgets the user.
  async function logout() {
    const token = getAccessToken();
    await handleResponse(await fetch('/api/users/me/logout', { method: 'POST', headers: authorized() }));
    websocket?.close();
    localStorage.removeItem('currentUser');
    currentUser = null;
    const after = await fetch('/api/users/me', { headers: { Authorization: `Bearer ${token}` } });
    return after.status;
  }

  window.client = { register, login, allUsers, createChat, chats, messages, sendMessage, initializeWebSocket, received, uploadAvatar, logout, frames };
})();
