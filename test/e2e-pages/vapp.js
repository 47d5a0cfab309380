// The V-app web client (client-web/script.js of nexmo-community/clientsdk-the-v-app at the
// commit before "VCR Backend"), its requests re-created for Parley's end-to-end test. Read for
// meaning only; the lines cited are the original's. Its calls, chat and media go through
// Vonage's Client SDK (NexmoClient), which no local server stands in for: only its requests
// to its own backend are here. `BASE_URL` is set by the test (script.js line 5).
(() => {
  const BASE_URL = window.VAPP_BASE_URL;
  let jwt; // script.js line 73: undefined until the first answer, sent as "Bearer undefined"
  let myUser = {};
  let conversations = [];
  let users = [];

  // script.js lines 158-177 (postRequest)
  async function postRequest(endpoint = '', data = {}) {
    const response = await fetch(BASE_URL + endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}`, 'Bypass-Tunnel-Reminder': true },
      body: JSON.stringify(data),
    });
    if (!response.ok) throw await response.json();
    return response.json();
  }

  // script.js lines 180-198 (getRequest)
  async function getRequest(endpoint = '') {
    const response = await fetch(BASE_URL + endpoint, {
      method: 'GET',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}`, 'Bypass-Tunnel-Reminder': true },
    });
    if (!response.ok) throw await response.json();
    return response.json();
  }

  // script.js lines 606-672 (showDashboard), without the Client SDK session (line 614).
  async function showDashboard(data) {
    myUser = data.user;
    conversations = data.conversations;
    jwt = data.token;
    users = data.users.sort((a, b) => {
      const nameA = a.display_name.toUpperCase();
      const nameB = b.display_name.toUpperCase();
      return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
    });
    const textChats = await getRequest('/conversations');
    const chatNames = textChats.map((textChat) => textChat.name);
    // line 665: the client calls image_url.includes, so it must be a string.
    const onNexmo = myUser.image_url.includes('nexmo.com');
    return { myUser, conversations, users, chatNames, onNexmo };
  }

  // script.js lines 825-839 (signUp) and 847-860 (logIn)
  const signUp = async (name, display_name, password) => showDashboard(await postRequest('/signup', { name, display_name, password }));
  const logIn = async (name, password) => showDashboard(await postRequest('/login', { name, password }));

  // script.js lines 271-276 (showSelectedUser): earlier chats with the user, one-to-one first.
  function previousChatsWith(userId) {
    const previousChats = conversations.filter((conversation) => conversation.users.some((user) => user.id === userId));
    return { groupChats: previousChats.filter((c) => c.users.length > 1), oneToOneChat: previousChats.filter((c) => c.users.length === 1) };
  }

  // script.js lines 495-539 (displayTextChat): the conversation (line 507) and its earlier messages
  // (lines 529-539 keep events of type "text", sorted by id).
  async function displayTextChat(selectedConversationId) {
    const selectedConversation = await getRequest(`/conversations/${selectedConversationId}`);
    const previousMessages = selectedConversation.events.reduce(
      (previousValue, currentValue) => {
        if (!previousValue.some((previous) => previous.id === currentValue.id)) {
          if (currentValue.type === 'text') previousValue.push(currentValue);
        }
        return previousValue;
      },
      [{ id: '', type: '' }],
    );
    const messages = previousMessages.filter((message) => message.id !== '').sort((a, b) => a.id - b.id);
    return { selectedConversation, messages };
  }

  // script.js lines 568-604 (textChatClickHandler): an earlier one-to-one chat, else a new one.
  async function messageUser(userId) {
    const { oneToOneChat } = previousChatsWith(userId);
    if (oneToOneChat.length > 0) return displayTextChat(oneToOneChat[0].id);
    const selectedConversation = await postRequest('/conversations', { users: [userId] });
    return displayTextChat(selectedConversation.id);
  }

  // script.js lines 467-486 (the SDK's member:joined): the new chat's name, pushed to the list.
  async function onMemberJoined(cid) {
    const textChat = await getRequest(`/conversations/${cid}`);
    conversations.push(textChat);
    return textChat;
  }

  // script.js lines 736-744 and 868-880 (updateProfileImage), then the settings image shows it.
  async function updateProfileImage(imageURL) {
    const responseData = await postRequest('/image', { image_url: imageURL });
    const img = document.body.appendChild(document.createElement('img'));
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error('image did not load'));
      img.src = responseData.image_url;
    });
    return { responseData, shown: img.naturalWidth };
  }

  window.client = { signUp, logIn, previousChatsWith, displayTextChat, messageUser, onMemberJoined, updateProfileImage, getRequest };
})();
