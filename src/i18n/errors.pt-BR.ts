import type { ErrorCode } from '../core/errors.ts';

/**
 * The error catalogue (src/core/errors.ts, English) in Brazilian Portuguese. Typed
 * Record<ErrorCode, string>: a new error code without a translation is a type error.
 */
export const ERROR_MESSAGES_PT_BR: Record<ErrorCode, string> = {
  // Convites e salas
  'invalid-code': 'Esse código de sala não é válido. Confira e tente de novo.',
  'room-not-found': 'Não existe sala com esse código. Ela pode ter expirado ou sido fechada.',
  'room-full': 'Esta sala está cheia. Uma sala do Duet comporta exatamente duas pessoas.',
  'room-exists': 'Já existe uma sala com esse código. Crie uma sala nova.',
  'invalid-name': 'Digite um nome de 1 a 40 caracteres.',
  'code-mismatch': 'O código curto não confere. Peça à outra pessoa um código curto novo e tente de novo.',
  'short-code-guessed':
    'Alguém tentou seu código curto com as palavras erradas. Esse código não vale mais: crie um novo, ou compartilhe o link.',
  'no-nameplate': 'Não há código curto livre neste servidor agora. Compartilhe o link ou o QR code.',
  evicted: 'O app da outra pessoa tirou você da sala, porque o seu não conseguiu provar que tinha o convite.',

  // Sinalização
  'signaling-unreachable': 'Não foi possível acessar o servidor de sinalização. Verifique sua conexão e tente de novo.',
  'signaling-lost': 'A conexão com o servidor de sinalização caiu antes de seu contato chegar.',
  'signaling-malformed': 'O servidor de sinalização enviou uma mensagem que o Duet não entende.',
  'bad-request': 'O servidor de sinalização recusou uma solicitação malformada.',
  'payload-too-large': 'Uma mensagem para o servidor de sinalização era grande demais.',
  'not-in-room': 'Você ainda não está em uma sala.',
  'no-peer': 'Seu contato não está conectado à sala agora.',
  'room-expired': 'Ninguém entrou nesta sala a tempo, por isso ela foi fechada. Crie uma sala nova.',
  'rate-limited': 'Mensagens demais chegaram rápido demais ao servidor de sinalização; algumas foram recusadas.',
  'already-in-room': 'Você já está em uma sala.',
  'server-error': 'O servidor de sinalização teve um problema.',
  'signal-rejected': 'Os dados de conexão vindos do outro lado não puderam ser verificados e foram ignorados.',

  // Conexão direta
  'peer-connection-failed': 'A conexão direta com seu contato falhou.',
  'peer-unreachable':
    'Não foi possível alcançar seu contato diretamente. Em redes diferentes, o Duet precisa de um servidor STUN ou TURN (veja o README).',
  'reconnect-failed': 'A conexão com seu contato caiu e não pôde ser restabelecida.',
  'new-session':
    'Uma nova sessão começou nesta sala (seu contato pode ter recarregado a página). Compare o novo código de segurança.',
  'peer-left-early': 'A outra pessoa saiu antes de a conexão segura ficar pronta. Nenhuma mensagem foi trocada.',
  'peer-unavailable': 'Este navegador não consegue fazer conexões diretas (o WebRTC não está disponível).',
  'relay-unavailable':
    'Você pediu para esconder seu endereço IP do seu contato, mas este servidor do Duet não oferece um servidor de retransmissão (TURN), então o Duet não se conectou. Desative a opção para se conectar diretamente.',
  'relay-failed':
    'Você pediu para esconder seu endereço IP do seu contato, mas o servidor de retransmissão (TURN) não pôde ser usado: ele recusou as credenciais que este servidor do Duet deu, ou não respondeu. O Duet não se conectou. Tente de novo mais tarde, ou desative a opção para se conectar diretamente.',

  // Handshake e registros
  'insecure-context':
    'O Duet precisa de uma página segura (https:// ou localhost) para usar a criptografia do seu navegador. Abra-o por HTTPS.',
  'crypto-unavailable': 'A criptografia do seu navegador (WebCrypto) não está disponível.',
  'handshake-timeout': 'Seu contato não concluiu o handshake seguro a tempo.',
  'handshake-failed':
    'O handshake seguro falhou. A conexão pode estar sendo interceptada; nenhuma mensagem foi trocada.',
  'handshake-malformed': 'Seu contato enviou uma mensagem de handshake malformada.',
  'unsupported-version': 'Seu contato usa uma versão incompatível do Duet.',
  'record-malformed': 'Uma mensagem malformada foi recebida e descartada.',
  'record-too-large': 'Uma mensagem era grande demais e foi descartada.',
  'record-forged': 'Uma mensagem não passou na verificação de integridade e foi descartada.',
  'record-replayed': 'Uma mensagem repetida ou fora de ordem foi descartada.',
  'identity-invalid':
    'Não foi possível verificar a identidade do dispositivo do seu contato. Trate esta conversa como vinda de um dispositivo desconhecido.',
  'identity-changed':
    'A identidade do dispositivo desta pessoa mudou desde a última conversa. Pode ser um dispositivo novo ou outra pessoa usando o nome dela. Compare o código de segurança antes de confiar.',
  'identity-lookalike':
    'Este nome parece o nome de alguém com quem você já conversou, mas não é o mesmo nome. Pode ser outra pessoa se passando por ela. Compare o código de segurança antes de confiar.',
  'storage-unavailable': 'Este navegador não permite que o Duet se lembre deste dispositivo (o armazenamento está desativado).',
  'message-too-long': 'Esta mensagem é longa demais para ser enviada.',
  'identity-file-missing': 'Nenhum arquivo de chave de identidade foi encontrado. Crie um com `duet keys`, ou não use --remember.',
  'identity-file-invalid': 'O arquivo de chave de identidade está danificado ou não é uma chave de identidade do Duet. Crie outro com `duet keys --force`.',
  'identity-file-exposed': 'O arquivo de chave de identidade pode ser lido por outros usuários deste computador. Torne-o privado (chmod 600) e tente de novo.',
  'identity-file-exists': 'Já existe um arquivo de chave de identidade, e o Duet não o substitui sem que você peça (--force). Substituí-lo faz quem conhece você ver um aviso.',
  'known-peers-invalid': 'O arquivo das pessoas com quem você já conversou está danificado. Mova-o para outro lugar (um novo será criado) e tente de novo.',
  'not-connected': 'Não há conexão com seu contato.',
  'app-load-failed': 'Parte do Duet não pôde ser carregada. Verifique sua conexão e recarregue a página.',

  // Arquivos
  'file-corrupt': 'O arquivo não bateu com a soma de verificação e foi descartado. Peça que ele seja enviado de novo.',
  'file-interrupted': 'A conexão caiu durante a transferência do arquivo. Envie o arquivo de novo.',
  'file-unexpected': 'Chegaram dados de arquivo que não pertencem a nenhuma transferência que você aceitou; eles foram descartados.',
  'file-read-failed': 'Não foi possível ler o arquivo no seu dispositivo.',
  'file-write-failed': 'Não foi possível gravar o arquivo no seu dispositivo.',
  'file-peer-failed': 'A transferência do arquivo falhou do outro lado.',
  'too-many-files': 'Seu contato ofereceu arquivos demais de uma vez; os que passaram do limite foram recusados.',
};
