// Read-aloud for the questionnaire player, with the browser's speech synthesis.
// Pupils who read slowly hear the question and the answer labels in French (fr-FR).

const VOICE_LANGUAGES = { fr: "fr-FR", en: "en-GB" };

export function canSpeak() {
  return typeof window.speechSynthesis !== "undefined" &&
    typeof window.SpeechSynthesisUtterance !== "undefined";
}

function voiceFor(language) {
  const voices = window.speechSynthesis.getVoices();
  return voices.find((voice) => voice.lang === language) ||
    voices.find((voice) => voice.lang && voice.lang.startsWith(language.slice(0, 2))) ||
    null;
}

// Speak each text in turn, interrupting whatever was being read.
export function speak(texts, lang) {
  if (!canSpeak()) {
    return;
  }
  const language = VOICE_LANGUAGES[lang] || VOICE_LANGUAGES.fr;
  window.speechSynthesis.cancel();
  for (const text of texts) {
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = language;
    utterance.rate = 0.9;
    const voice = voiceFor(language);
    if (voice) {
      utterance.voice = voice;
    }
    window.speechSynthesis.speak(utterance);
  }
}

export function stopSpeaking() {
  if (canSpeak()) {
    window.speechSynthesis.cancel();
  }
}
